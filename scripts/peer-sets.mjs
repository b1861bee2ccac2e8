// The peer sets the built package is tested with: `newest` is the newest
// major of every peer (what `npm install keyward <peer>` picks today),
// `oldest` is the floor of every peer range in package.json (keep the two in
// step), and `redis5` the node-redis major in between. scripts/artifact.mjs
// installs each set next to the packed tarball; vitest.config.ts runs the
// suites against it (projects named dist-<module format>-<set>).
export const PEER_SETS = {
  newest: {
    express: "5",
    koa: "3",
    fastify: "5",
    hono: "4",
    pg: "8",
    "@electric-sql/pglite": "0.5",
    ioredis: "6",
    redis: "6",
  },
  oldest: {
    express: "4.18.0",
    koa: "2.14.0",
    fastify: "4.0.0",
    hono: "4.3.0",
    pg: "8.8.0",
    "@electric-sql/pglite": "0.5.0",
    ioredis: "5.0.0",
    redis: "4.7.0",
  },
  redis5: {
    redis: "5",
  },
};
