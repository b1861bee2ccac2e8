import type { Response } from "express";
import type { HttpResponse } from "keyward/http";
import { JSON_TYPE } from "../shared/http.js";

/** Copies a core answer onto an Express response: status, headers and JSON body. */
export function send(res: Response, answer: HttpResponse): void {
  if (res.headersSent) return;
  const text = JSON.stringify(answer.body);
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader("content-type", JSON_TYPE);
  res.end(text);
}
