/**
 * What users read — README, CHANGELOG, docs/, the examples and the TSDoc of
 * the public sources — speaks to users: none of the project's internal
 * planning words (numbered seeds, issues or phases).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PLANNING = /\bseeds?\b|\bseed[- ]?0\d\d\b|\bissue (?:#?\d+)\b|\bthe issue(?:'s)?\b|\bphase \d+\b|\bmilestone \d+\b/i;

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "api") return [];
    return statSync(join(ROOT, path)).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

const USER_FACING = [
  "README.md",
  "CHANGELOG.md",
  ...files("docs", /\.md$/),
  ...files("examples", /\.(md|ts|html)$/),
  ...files("src", /\.ts$/),
  ...files("adapters", /\.ts$/),
  ...files("cli", /\.ts$/),
];

describe("user-facing text has no internal planning words", () => {
  it.each(USER_FACING.map((f) => [relative(ROOT, join(ROOT, f))]))("%s", (file) => {
    const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
    const hits = lines.flatMap((line, i) => (PLANNING.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
    expect(hits).toEqual([]);
  });
});
