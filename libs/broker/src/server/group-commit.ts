/** Someone waiting for appends to become durable (a channel with pending confirms). */
export interface SyncWaiter {
  /** Every append ticketed at or below `completed` is now on disk (or failed to get there). */
  onSynced(completed: number, failed: boolean): void;
}

/**
 * Group commit in front of the store: appends made during one event-loop turn
 * share one sync(), and while a sync runs the next batch gathers. Callers get a
 * ticket for their appends and are told when a sync covering it has finished,
 * so a confirm can be sent only after its message is on disk.
 */
export class GroupCommit {
  /** The ticket the next sync will complete. */
  private next = 1;
  private completed = 0;
  private dirty = false;
  private running = false;
  private scheduled = false;
  private readonly waiters = new Set<SyncWaiter>();
  private failure: ((error: unknown) => void) | undefined;

  constructor(
    private readonly sync: () => Promise<void>,
    onFailure?: (error: unknown) => void,
  ) {
    this.failure = onFailure;
  }

  get lastCompleted(): number {
    return this.completed;
  }

  /** Marks that something was appended; returns the ticket that covers it. */
  ticket(): number {
    this.dirty = true;
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.start);
    }
    return this.next;
  }

  /** Asks to be told (once per completed sync) until it removes itself. */
  wait(waiter: SyncWaiter): void {
    this.waiters.add(waiter);
  }

  unwait(waiter: SyncWaiter): void {
    this.waiters.delete(waiter);
  }

  /** Resolves once everything ticketed so far is durable. */
  async flush(): Promise<void> {
    if (!this.dirty && !this.running) return;
    const target = this.dirty ? this.next : this.next - 1;
    await new Promise<void>((resolve) => {
      const waiter: SyncWaiter = {
        onSynced: (completed) => {
          if (completed >= target) {
            this.waiters.delete(waiter);
            resolve();
          }
        },
      };
      this.waiters.add(waiter);
    });
  }

  private readonly start = (): void => {
    this.scheduled = false;
    if (this.running || !this.dirty) return;
    this.running = true;
    this.dirty = false;
    const ticket = this.next++;
    this.sync().then(
      () => this.finish(ticket, false),
      (error: unknown) => {
        this.failure?.(error);
        this.finish(ticket, true);
      },
    );
  };

  private finish(ticket: number, failed: boolean): void {
    this.running = false;
    this.completed = ticket;
    for (const waiter of [...this.waiters]) waiter.onSynced(ticket, failed);
    if (this.dirty) this.start();
  }
}
