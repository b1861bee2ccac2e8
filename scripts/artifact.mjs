#!/usr/bin/env node
// Packs the built package and installs the tarball into fresh consumer
// projects under .artifact/, one per peer set, exactly as a user would
// (`npm install keyward <peers>`, no --legacy-peer-deps). The vitest projects
// named `dist-*` then run the suites against what those projects installed.
// Run after `npm run build`. An install is reused while the tarball and the
// peer set are unchanged.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PEER_SETS } from "./peer-sets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".artifact");
mkdirSync(out, { recursive: true });

if (!existsSync(join(root, "dist", "index.js"))) {
  console.error("artifact: dist/ is missing; run `npm run build` first");
  process.exit(2);
}

for (const old of readdirSync(out)) if (old.endsWith(".tgz")) rmSync(join(out, old));
const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: root, encoding: "utf8" });
const tarball = join(out, packed.trim().split("\n").pop());
const digest = createHash("sha256").update(readFileSync(tarball)).digest("hex");

const only = process.argv.slice(2);
for (const [name, peers] of Object.entries(PEER_SETS)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(out, name);
  const stamp = join(dir, ".installed");
  const want = JSON.stringify({ digest, peers });
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) {
    console.log(`artifact: ${name} is up to date`);
    continue;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `keyward-consumer-${name}`, private: true }, null, 2));
  const specs = [tarball, ...Object.entries(peers).map(([pkg, range]) => `${pkg}@${range}`)];
  console.log(`artifact: ${name}: npm install ${specs.map((s) => s.replace(out, ".artifact")).join(" ")}`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...specs], {
    cwd: dir,
    stdio: "inherit",
  });
  writeFileSync(stamp, want);
}
