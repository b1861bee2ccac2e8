#!/usr/bin/env bash
# Installs the packed tarball into a fresh project, as a new user would, and
# imports every subpath from ESM and CommonJS, then runs a request through an
# adapter and the CLI's --help. Run after `npm run build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --silent "./$tarball" \
  express@5 hono@4 koa@3 jose @electric-sql/pglite >/dev/null
cp "$root/scripts/pack-smoke.mjs" "$root/scripts/pack-smoke.cjs" .
node pack-smoke.mjs
node pack-smoke.cjs
npx --no-install keyward --help >/dev/null
echo "pack smoke: ok ($tarball)"
