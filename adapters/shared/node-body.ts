/**
 * Internal to the Express and Koa adapters: reads a Node request body as
 * text with a size cap, or takes what a body parser already produced.
 */
import type { IncomingMessage } from "node:http";
import { BodyTooLargeError } from "keyward/http";
import { concat } from "./http.js";

/**
 * Returns the `readBody(limit)` of a management request. When a body parser
 * already consumed the stream, its result is used (an object is
 * re-serialised, a string or bytes taken as is); otherwise the stream is read
 * here, refusing more than `limit` bytes before buffering them.
 */
export function nodeBodyReader(req: IncomingMessage, parsed: () => unknown): (limit: number) => Promise<string> {
  return async function readNodeBody(limit) {
    if (req.readableEnded || req.readableDidRead) return fromParser(parsed());
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) throw new BodyTooLargeError();
    return new TextDecoder().decode(await readStream(req, limit));
  };
}

/**
 * Returns a reader of the raw body bytes, for a handler that checks a
 * signature over them. When a body parser already consumed the stream, only
 * raw bytes (`express.raw()`) or text it kept are usable: a parsed object no
 * longer holds the bytes that were signed, so it reads as an error.
 */
export function nodeBytesReader(req: IncomingMessage, parsed: () => unknown): (limit: number) => Promise<Uint8Array | string> {
  return async function readNodeBytes(limit) {
    if (req.readableEnded || req.readableDidRead) {
      const body = parsed();
      if (body instanceof Uint8Array || typeof body === "string") return body;
      throw new Error("the raw body was consumed by a body parser");
    }
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) throw new BodyTooLargeError();
    return readStream(req, limit);
  };
}

function fromParser(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body !== null && typeof body === "object") return JSON.stringify(body);
  return "";
}

function readStream(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const done = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Uint8Array | string): void => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        done();
        req.resume(); // discard the rest; the 413 is written meanwhile
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      done();
      resolve(concat(chunks, size));
    };
    const onError = (error: unknown): void => {
      done();
      reject(error);
    };
    const onClose = (): void => {
      done();
      reject(new Error("request closed before its body ended"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
