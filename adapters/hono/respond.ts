import type { Context } from "hono";
import type { HttpResponse } from "keyward/http";
import { JSON_TYPE } from "../shared/http.js";

/** Turns a core answer into a Hono response: status, headers and JSON body. */
export function respond(c: Context, answer: HttpResponse): Response {
  const headers: Record<string, string> = { ...answer.headers, "content-type": JSON_TYPE };
  return c.body(JSON.stringify(answer.body), answer.status as 200, headers);
}

/** The request path as sent (not percent-decoded), for error bodies and routing. */
export function pathnameOf(c: Context): string {
  return new URL(c.req.url).pathname;
}
