/** Tiny benchmark helpers: timed loops and interleaved rounds (no dependency). */

/** Runs `fn` repeatedly for about `ms` and returns operations per second. */
export async function opsPerSec(fn: (i: number) => unknown, ms = 700): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let j = 0; j < 2000; j++) {
      const r = fn(ops++);
      if (r instanceof Promise) await r;
    }
    now = performance.now();
  }
  return (ops / (now - start)) * 1000;
}

/** Measures several named cases in interleaved rounds and keeps the median of each. */
export async function interleaved(
  cases: Record<string, (i: number) => unknown>,
  rounds = 5,
  ms = 500,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) samples[name] = [];
  for (const fn of Object.values(cases)) await opsPerSec(fn, 200); // warm up
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) samples[name]?.push(await opsPerSec(fn, ms));
  }
  const out: Record<string, number> = {};
  for (const [name, list] of Object.entries(samples)) out[name] = median(list);
  return out;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** 1234567 → "1.23M/s". */
export function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k/s`;
  return `${value.toFixed(0)}/s`;
}

/** Repetitions, rounds per repetition and ms per sample of {@link repeated} (BENCH_REPS, BENCH_ROUNDS, BENCH_MS). */
export const REPS = Number(process.env.BENCH_REPS ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const SAMPLE_MS = Number(process.env.BENCH_MS ?? 200);

/**
 * Measures `cases` `reps` times; each repetition is `rounds` interleaved
 * rounds (every case once per round, so machine load hits all alike) and
 * keeps the median of each case. Returns, per case, one figure per repetition.
 */
export async function repeated(
  cases: Record<string, (i: number) => unknown>,
  reps = REPS,
  rounds = ROUNDS,
  ms = SAMPLE_MS,
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) out[name] = [];
  for (let r = 0; r < reps; r++) {
    const res = await interleaved(cases, rounds, ms);
    for (const [name, value] of Object.entries(res)) out[name]?.push(value);
  }
  return out;
}

/** `a ÷ b` per repetition: "0.93x [0.90-0.95]" (median and range). */
export function ratio(a: number[] | undefined, b: number[] | undefined): { median: number; text: string } {
  const ratios = (a ?? []).map((v, i) => v / ((b ?? [])[i] ?? Number.NaN));
  const m = median(ratios);
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  return { median: m, text: `${m.toFixed(2)}x [${lo.toFixed(2)}-${hi.toFixed(2)}]` };
}
