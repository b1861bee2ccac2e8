/**
 * The TypeScript examples of the JWT guide (docs/jwt.md), of the
 * configuration page (docs/configuration.md) and of README's "Usage" compile as a user would paste them into a strict project (strict,
 * noUncheckedIndexedAccess, exactOptionalPropertyTypes). Names an example
 * uses without defining (`app`, `keyward`, `issuer`, …) are declared first,
 * with the types a real application would give them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { typeErrors } from "./compile.js";

const STRICTEST = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true };

/** Every ```ts block of a Markdown file, with the line it starts on. */
function tsBlocks(file: string): { line: number; code: string }[] {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
  const blocks: { line: number; code: string }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== "```") end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** What a JWT guide example may use without defining it. */
const JWT_CONTEXT = `
import type { Express } from "express";
import type { JWK } from "jose";
import type { Keyward } from "keyward";
import type { ClaimsToActor } from "keyward/jwt";
declare const app: Express;
declare const keyward: Keyward;
declare const issuer: string;
declare const audience: string;
declare const toActor: ClaimsToActor;
declare const publicJwk: JWK;
`;

/** Whether `code` imports `name` itself. */
const imports = (code: string, name: string) => new RegExp(`import\\s*\\{[^}]*\\b${name}\\b`).test(code);

function compileBlocks(file: string, context: (code: string) => string, blocks: { line: number; code: string }[]): string[] {
  const files: Record<string, string> = {};
  for (const { line, code } of blocks) {
    files[`test/types/examples/${file.replace(/[/.]/g, "-")}-L${line}.ts`] = `${context(code)}\nexport {};\n${code}\n`;
  }
  return typeErrors(files, STRICTEST);
}

/** The JWT guide's context; an example that does not import jwtActor gets it, as the guide's first example shows. */
const jwtContext = (code: string) =>
  (imports(code, "jwtActor") || !/\bjwtActor\b/.test(code) ? "" : 'import { jwtActor } from "keyward/jwt";\n') + JWT_CONTEXT;

/** The configuration page's context: `createKeyward` and a `store`. */
const configurationContext = (code: string) =>
  `${imports(code, "createKeyward") ? "" : 'import { createKeyward } from "keyward";\n'}import type { KeyStore } from "keyward";\ndeclare const store: KeyStore;\n`;

describe("documentation examples compile in a strict project", () => {
  it("docs/jwt.md: every TypeScript example", () => {
    const blocks = tsBlocks("docs/jwt.md");
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(compileBlocks("docs/jwt.md", jwtContext, blocks)).toEqual([]);
  }, 60_000);

  it("README.md: the Usage example (pepper: process.env.KEYWARD_PEPPER included)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const usage = readme.slice(readme.indexOf("## Usage"));
    const [block] = tsBlocks("README.md").filter(({ code }) => usage.includes(code));
    expect(block?.code).toMatch(/pepper: process\.env\.KEYWARD_PEPPER/);
    expect(compileBlocks("README.md", () => "", [block as { line: number; code: string }])).toEqual([]);
  }, 60_000);

  it("docs/configuration.md: every TypeScript example", () => {
    const blocks = tsBlocks("docs/configuration.md");
    expect(blocks.length).toBeGreaterThanOrEqual(13);
    expect(compileBlocks("docs/configuration.md", configurationContext, blocks)).toEqual([]);
  }, 60_000);

  it("the check has teeth: the guide's old claim mapping (role: c.role ?? null) is refused", () => {
    const old = [
      "const actor = jwtActor({ secret: process.env.JWT_SECRET!, issuer, audience,",
      "  toActor: (c) => typeof c.sub === 'string' && typeof c.org_id === 'string'",
      "    ? { id: c.sub, owner: c.org_id, role: c.role ?? null } : null });",
    ].join("\n");
    expect(compileBlocks("control", jwtContext, [{ line: 1, code: old }])).toEqual([expect.stringMatching(/TS2322/)]);
  }, 60_000);
});
