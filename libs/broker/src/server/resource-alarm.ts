import { statfs } from 'node:fs/promises';
import { totalmem } from 'node:os';

export type AlarmKind = 'memory' | 'disk';

export interface ResourceAlarmOptions {
  /** Fraction of total memory (< 1) or bytes (>= 1). */
  readonly memoryHighWatermark: number;
  readonly diskFreeLimit: number;
  /** Directory whose file system is watched for free space (the data dir). */
  readonly dataDir: string | undefined;
  readonly intervalMs?: number;
  readonly onChange: (kind: AlarmKind, raised: boolean) => void;
}

/**
 * RabbitMQ-style resource alarms: memory in use (RSS) above the high watermark,
 * or free disk below the limit, raises an alarm; publishers are then blocked
 * until it clears. Checked on a timer, and on demand (e.g. after big publishes).
 */
export class ResourceAlarm {
  memoryLimitBytes: number;
  /** Free bytes below which the disk alarm is raised; 0 turns the disk check off. */
  private diskLimit: number;
  private readonly raised = new Set<AlarmKind>();
  private timer: NodeJS.Timeout | undefined;
  private diskCheck: Promise<void> | undefined;

  constructor(private readonly options: ResourceAlarmOptions) {
    const mark = options.memoryHighWatermark;
    this.memoryLimitBytes = mark < 1 ? Math.floor(totalmem() * mark) : mark;
    this.diskLimit = options.diskFreeLimit;
  }

  /** Changes the memory high watermark at run time (fraction < 1 or bytes) and re-checks. */
  setMemoryHighWatermark(mark: number): void {
    this.memoryLimitBytes = mark < 1 ? Math.floor(totalmem() * mark) : mark;
    this.check();
  }

  /**
   * Changes the free-disk limit at run time (bytes; 0 turns the check off and
   * clears a raised disk alarm) and re-checks, as rabbitmqctl set_disk_free_limit.
   */
  setDiskFreeLimit(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new Error(`disk free limit must be a non-negative number of bytes, got ${bytes}`);
    }
    this.diskLimit = bytes;
    if (bytes === 0) this.set('disk', false);
    this.check();
  }

  get diskFreeLimit(): number {
    return this.diskLimit;
  }

  get active(): readonly AlarmKind[] {
    return [...this.raised];
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  check(): void {
    this.set('memory', process.memoryUsage.rss() > this.memoryLimitBytes);
    const dir = this.options.dataDir;
    if (dir !== undefined && this.diskLimit > 0 && this.diskCheck === undefined) {
      // the limit is read when statfs answers, so a change made meanwhile is honoured
      this.diskCheck = statfs(dir)
        .then((s) => {
          if (this.diskLimit > 0) this.set('disk', s.bavail * s.bsize < this.diskLimit);
        })
        .catch(() => undefined)
        .finally(() => {
          this.diskCheck = undefined;
        });
    }
  }

  private set(kind: AlarmKind, on: boolean): void {
    if (on === this.raised.has(kind)) return;
    if (on) this.raised.add(kind);
    else this.raised.delete(kind);
    this.options.onChange(kind, on);
  }
}
