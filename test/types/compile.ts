/**
 * Type-checks TypeScript the way a user's project would compile it: the
 * repository's compiler settings (strict, `keyward/*` resolved to the
 * sources) plus any overrides, e.g. `exactOptionalPropertyTypes`. Only the
 * given files are reported on, so the check is about what a user writes
 * against the public types, not about the library's own sources.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The repository's compiler options, with `overrides` applied. */
function compilerOptions(overrides: ts.CompilerOptions): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${ROOT}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error("cannot read tsconfig.json");
  return { ...parsed.options, ...overrides, noEmit: true };
}

/** One error, as `file:line:col TSxxxx message`. */
function describe(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file || d.start === undefined) return `TS${d.code} ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName.replace(ROOT, "")}:${line + 1}:${character + 1} TS${d.code} ${text}`;
}

/**
 * The type errors in `files` (path relative to the repository → source text;
 * the text of a real file may be passed as read from disk, or virtual files
 * given), compiled with the repository's settings and `overrides`.
 *
 * @example
 * ```ts
 * typeErrors({ "test/types/x.ts": 'const n: number = "a";' }); // ["test/types/x.ts:1:7 TS2322 …"]
 * ```
 */
export function typeErrors(files: Record<string, string>, overrides: ts.CompilerOptions = {}): string[] {
  const options = compilerOptions(overrides);
  const virtual = new Map(Object.entries(files).map(([name, text]) => [`${ROOT}${name}`, text]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, create) => {
    const text = virtual.get(name);
    return text === undefined
      ? getSourceFile.call(host, name, language, onError, create)
      : ts.createSourceFile(name, text, language, true);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const errors: string[] = [];
  for (const name of virtual.keys()) {
    const file = program.getSourceFile(name);
    if (!file) throw new Error(`not compiled: ${name}`);
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) errors.push(describe(d));
  }
  return errors;
}
