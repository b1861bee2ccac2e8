import type { FastifyReply, FastifyRequest } from "fastify";
import type { HttpResponse } from "keyward/http";
import { JSON_TYPE, pathOf } from "../shared/http.js";

/** Sends a core answer on the Fastify reply: status, headers and JSON body (serialised here, as in every adapter). */
export function send(reply: FastifyReply, answer: HttpResponse): FastifyReply {
  return reply
    .code(answer.status)
    .headers({ ...answer.headers, "content-type": JSON_TYPE })
    .send(JSON.stringify(answer.body));
}

/** The request path as sent (not percent-decoded), for error bodies and routing. */
export function pathOfRequest(request: FastifyRequest): string {
  return pathOf(request.raw.url ?? request.url);
}
