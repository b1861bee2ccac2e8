import express from "express";
import Koa from "koa";
import { describe, expect, it } from "vitest";

/**
 * Proves which framework majors a run exercises: the default project uses
 * Express 5 and Koa 3; the `express4-koa2` project aliases `express` and
 * `koa` to Express 4 and Koa 2, for the adapters as well as the test apps.
 */
describe("framework versions under test", () => {
  const legacy = process.env.KEYWARD_FRAMEWORKS === "express4-koa2";

  it(legacy ? "resolves express to Express 4 and koa to Koa 2" : "resolves express to Express 5 and koa to Koa 3", () => {
    // express.query was removed in Express 5; createAsyncCtxStorageMiddleware exists only in Koa 2
    expect(typeof (express as unknown as { query?: unknown }).query).toBe(legacy ? "function" : "undefined");
    const koaProto = Object.getPrototypeOf(new Koa()) as Record<string, unknown>;
    expect("createAsyncCtxStorageMiddleware" in koaProto).toBe(legacy);
  });
});
