/**
 * Fails the test during which a promise rejection went unhandled (vitest
 * would report it only at the end of the run, without saying which test).
 * Registered for every project in vitest.config.ts (`setupFiles`).
 */
import { afterEach, beforeEach, expect } from "vitest";

const rejections: unknown[] = [];
const record = (reason: unknown): void => {
  rejections.push(reason);
};

beforeEach(() => {
  rejections.length = 0;
  process.on("unhandledRejection", record);
});

afterEach(async () => {
  await new Promise((resolve) => setImmediate(resolve)); // rejections of the test's last tick
  process.off("unhandledRejection", record);
  expect(rejections, "promise rejections left unhandled by this test").toEqual([]);
});
