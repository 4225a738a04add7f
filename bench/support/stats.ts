// Round statistics shared by the benchmarks: median/min/max, paired ratios, percentiles, formatting.
/** Median, min and max of one series of round results. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Per-round ratios a[i] / b[i]: each pair ran back to back, under the same load. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]);
}

/** The q-quantile (0..1) of ascending `sorted`, nearest rank. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function formatRate(s: Summary): string {
  const k = (v: number) => `${(v / 1000).toFixed(1)}k`;
  return `${k(s.median).padStart(6)} msg/s [${k(s.min)}–${k(s.max)}]`;
}

export function formatCpu(s: Summary): string {
  return `${s.median.toFixed(2).padStart(6)} µs/msg [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
}
