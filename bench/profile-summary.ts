/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`): self time per
 * function, as a share of the samples that are not idle or GC-free program
 * overhead, top 25.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    const where = url
      ? `${url.replace(/^.*\/(src|adapters|bench|node_modules)\//, "$1/")}:${lineNumber + 1}:${columnNumber + 1}`
      : "";
    const name = `${functionName || "(anonymous)"} ${where}`.trim();
    self.set(name, (self.get(name) ?? 0) + 1);
    total++;
  }
  console.log(`${file}: ${total} samples`);
  for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}
