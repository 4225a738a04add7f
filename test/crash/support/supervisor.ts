import type { CrashChild } from './crash-child';
import { CrashEnv, type CrashPoint } from './crash-env';

export type Role = 'relay' | 'consumer' | 'producer';

/** Starts one process of a role with extra environment; resolves once it is ready. */
export type Starter = (env: Record<string, string>) => Promise<CrashChild>;

/**
 * Keeps one process per role running through a soak and kills them -9 on request.
 * While `armed`, a fresh relay or consumer is sometimes started with a crash point
 * (the dangerous windows: confirmed-but-unmarked, committed-but-unacked,
 * effect-written-but-not-recorded); when it reports reaching it, it is killed there and
 * replaced. Random kills land wherever the process happens to be.
 */
export class Supervisor {
  readonly kills: Record<Role, number> = { relay: 0, consumer: 0, producer: 0 };
  /** Kills at a crash point, by point. */
  readonly trips: Partial<Record<CrashPoint, number>> = {};
  armed = true;
  /** Starts that failed while the soak ran (a child that never became ready). */
  readonly failures: Error[] = [];
  private disposed = false;
  private readonly current = new Map<Role, Promise<CrashChild>>();
  private readonly killed = new WeakSet<CrashChild>();

  constructor(
    private readonly starters: Record<Role, Starter>,
    private readonly crashPoints: Partial<Record<Role, readonly CrashPoint[]>>,
    private readonly random: () => number,
  ) {}

  launch(role: Role): Promise<CrashChild> {
    const points = this.armed ? (this.crashPoints[role] ?? []) : [];
    // Half of the starts of an armed role carry one of its crash points.
    const point =
      points.length > 0 && this.random() < 0.5
        ? points[Math.floor(this.random() * points.length)]
        : undefined;
    const started = this.starters[role](point ? { [CrashEnv.crashPoint]: point } : {});
    this.current.set(role, started);
    started.catch((error: Error) => {
      if (!this.disposed) this.failures.push(error);
    });
    if (point) {
      started
        .then((child) =>
          child.waitForLine(/^CRASH-POINT /, 3_600_000).then(() => this.kill(role, child, point)),
        )
        // Failed to start or restart (recorded), killed elsewhere first, or the test is over.
        .catch(() => undefined);
    }
    return started;
  }

  /** The running process of a role (once started). */
  process(role: Role): Promise<CrashChild> {
    const child = this.current.get(role);
    if (!child) throw new Error(`no ${role} was launched`);
    return child;
  }

  /**
   * kill -9 the current process of `role` (once it is up) and start a new one. Never
   * rejects: a failed start is recorded in `failures` for the test to report.
   */
  async killCurrent(role: Role): Promise<void> {
    try {
      await this.kill(role, await this.process(role));
    } catch {
      // Recorded by launch().
    }
  }

  /** The test is over: what fails from now on (children killed by the cleanup) is expected. */
  dispose(): void {
    this.disposed = true;
    this.armed = false;
  }

  /** Waits for every pending start (and replacement) to be up. */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.current.values()];
      await Promise.all(pending);
      if (pending.every((p, i) => p === [...this.current.values()][i])) return;
    }
  }

  private async kill(role: Role, child: CrashChild, point?: CrashPoint): Promise<void> {
    if (this.killed.has(child) || !child.alive) return;
    this.killed.add(child);
    await child.kill9();
    this.kills[role]++;
    if (point) this.trips[point] = (this.trips[point] ?? 0) + 1;
    if ((await this.current.get(role)) === child) await this.launch(role);
  }
}
