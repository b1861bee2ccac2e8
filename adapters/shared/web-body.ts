/**
 * Internal to the Hono and Fetch adapters: reads a Fetch `Request` body with
 * a size cap. Web streams only, so it runs on every runtime.
 */
import { BodyTooLargeError, MalformedBodyError } from "keyward/http";
import { concat } from "./http.js";

/**
 * The raw body of `request`, refusing more than `limit` bytes before
 * buffering them (a `Content-Length` over the limit is refused unread).
 * Throws {@link MalformedBodyError} when the body was already consumed.
 */
export async function readRequestBytes(request: Request, limit: number): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length")) > limit) throw new BodyTooLargeError();
  if (request.bodyUsed) throw new MalformedBodyError("The request body was already consumed");
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

/** The body of `request` as UTF-8 text, as {@link readRequestBytes} reads it. */
export async function readRequestText(request: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readRequestBytes(request, limit));
}
