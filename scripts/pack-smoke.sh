#!/usr/bin/env bash
# Installs the packed tarball into a fresh project as a new user would, with
# the newest release of every peer (`npm install keyward <peers>@latest`, no
# --legacy-peer-deps), imports every subpath from ESM and CommonJS, drives an
# error of each class through every adapter, and runs the CLI's --help.
# Run after `npm run build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --loglevel=error "./$tarball" \
  express@latest hono@latest koa@latest fastify@latest pg@latest @electric-sql/pglite@latest ioredis@latest redis@latest
cp "$root"/scripts/smoke/* .
node esm.mjs
node cjs.cjs
npx --no-install keyward --help >/dev/null
echo "pack smoke: ok ($tarball)"
