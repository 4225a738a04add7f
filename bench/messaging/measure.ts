/** What one timed region of a workload cost. */
export interface Measurement {
  readonly msgPerSec: number;
  /** Client CPU (user + system) of this process per message, in microseconds. */
  readonly cpuUsPerMsg: number;
}

/**
 * Wall clock and process CPU over a timed region. CPU per message is the
 * steadier figure on a shared machine: it does not grow when the broker or a
 * neighbour takes the core, only when this process does more work.
 */
export class Stopwatch {
  private wall = 0n;
  private cpu: NodeJS.CpuUsage | undefined;

  start(): void {
    this.wall = process.hrtime.bigint();
    this.cpu = process.cpuUsage();
  }

  stop(count: number): Measurement {
    const seconds = Number(process.hrtime.bigint() - this.wall) / 1e9;
    const cpu = process.cpuUsage(this.cpu);
    return { msgPerSec: count / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / count };
  }
}

/** Collects garbage left by set-up (when run with --expose-gc) so it is not billed to the timed region. */
export function settleHeap(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
