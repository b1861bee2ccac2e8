import type { HttpResponse } from "keyward/http";
import type { Context } from "koa";
import { JSON_TYPE } from "../shared/http.js";

/** Copies a core answer onto the Koa response: status, headers and JSON body. */
export function respond(ctx: Context, answer: HttpResponse): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.set("content-type", JSON_TYPE);
  ctx.body = JSON.stringify(answer.body);
}
