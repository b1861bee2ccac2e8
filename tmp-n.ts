import pg from "pg";
const pooled = new pg.Pool({ connectionString: process.env.PGBOUNCER_URL, max: 10 });
const mk = async (name: string, seen: Map<string, number>) => { const c = new pg.Client({ connectionString: process.env.DATABASE_URL }); await c.connect(); c.on("notification", (n) => seen.set(n.payload!, (seen.get(n.payload!) ?? 0) + 1)); await c.query('LISTEN "chan_dbg"'); return c; };
const sa = new Map(), sb = new Map();
const a = await mk("a", sa), b = await mk("b", sb);
for (let i = 0; i < 30; i++) {
  if (i % 2) await pooled.query("SELECT pg_notify($1, $2)", ["chan_dbg", `p${i}`]);
  else await pooled.query("WITH x AS (SELECT 1 AS v) SELECT pg_notify($1::text, $2) FROM x", ["chan_dbg", `p${i}`]);
}
await new Promise((r) => setTimeout(r, 300));
console.log("a got", sa.size, "b got", sb.size);
const missing = []; for (let i = 0; i < 30; i++) if (!sa.has(`p${i}`) || !sb.has(`p${i}`)) missing.push(i);
console.log("missing", missing.join(","));
await a.end(); await b.end(); await pooled.end();
