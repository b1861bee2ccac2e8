/**
 * docs/configuration.md documents every option of `createKeyward`: each
 * property of `KeywardOptions` has its row in the summary table and its own
 * section, and the page documents nothing that is not an option.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

function optionNames(): string[] {
  const path = new URL("../../src/keyward.ts", import.meta.url);
  const file = ts.createSourceFile("keyward.ts", readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const options = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "KeywardOptions",
  );
  if (!options) throw new Error("KeywardOptions not found in src/keyward.ts");
  return options.members.flatMap((m) => (m.name && ts.isIdentifier(m.name) ? [m.name.text] : []));
}

describe("docs/configuration.md", () => {
  const page = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
  const names = optionNames();

  it("has a table row and a section for every createKeyward option", () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const name of names) {
      expect(page, name).toContain(`| [\`${name}\`](#${name.toLowerCase()}) |`);
      expect(page, name).toMatch(new RegExp(`^## \`${name}\`$`, "m"));
    }
  });

  it("documents no option that does not exist", () => {
    const sections = [...page.matchAll(/^## `(\w+)`$/gm)].map((m) => m[1]);
    expect(sections.sort()).toEqual([...names].sort());
  });
});
