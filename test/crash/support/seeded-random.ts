/**
 * mulberry32: a tiny deterministic PRNG, so a soak's kill schedule (when, and whom)
 * is the same on every run of a seed and a failure can be replayed with it.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The soak's seed: SURETY_CRASH_SEED to replay a run, else the suite's fixed one. */
export function crashSeed(fallback: number): number {
  const raw = process.env.SURETY_CRASH_SEED;
  if (raw === undefined || raw === '') return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed))
    throw new Error(`SURETY_CRASH_SEED must be an integer, got '${raw}'`);
  return seed;
}
