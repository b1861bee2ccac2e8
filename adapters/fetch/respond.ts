import type { HttpResponse } from "keyward/http";
import { JSON_TYPE } from "../shared/http.js";

/** Turns a core answer into a Fetch `Response`: status, headers and JSON body. */
export function toResponse(answer: HttpResponse): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { ...answer.headers, "content-type": JSON_TYPE },
  });
}

/** The request path as sent (not percent-decoded), for error bodies and routing. */
export function pathnameOf(request: Request): string {
  return new URL(request.url).pathname;
}
