#!/usr/bin/env node
/**
 * The `keyward` command-line tool (`npx keyward`): bootstrap the first admin
 * key, list, inspect, disable, enable and revoke keys against PostgreSQL,
 * PGlite or Redis. See `docs/cli.md`.
 *
 * @module
 */
import { runCli } from "./run.js";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // every connection is closed by now; this only guards against a driver's stray timer
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  () => {
    process.exitCode = 1;
  },
);
