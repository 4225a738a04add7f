import type { MemoryBudget } from '../model/memory-budget';
import type { Vhost } from '../model/vhost';

/** Once over the budget, page down to this share of it, so the pager does not run per message. */
const TARGET_SHARE = 0.9;
/** Entries paged per pass (a few milliseconds); more passes follow on later turns. */
const PASS_ENTRIES = 20_000;
/** After a pass that found nothing it could page, wait this long before trying again. */
const IDLE_MS = 100;

/**
 * Keeps ready messages in memory within the broker's MemoryBudget: when a charge
 * takes it over the limit, a pass on a later turn asks queues to page out
 * never-delivered messages behind their head windows (persisted ones to their store
 * record, transient ones to the paging area) until the total is back under
 * TARGET_SHARE of the limit. Messages whose store write has not completed yet cannot
 * go (their body is not on disk to read back), nor transient ones while the paging
 * area's writes are behind, so a pass that met one runs again once those are written.
 */
export class Pager {
  private scheduled = false;
  private idle = false;
  private waitingForSync = false;
  /** The pass about to run follows a completed sync. */
  private afterSync = false;
  private stopped = false;
  /** Entries paged out so far (stats). */
  pagedOut = 0;

  constructor(
    private readonly budget: MemoryBudget,
    private readonly vhosts: () => Iterable<Vhost>,
    /** Resolves once everything appended so far is written out. */
    private readonly written: () => Promise<void>,
  ) {
    budget.onOverrun = this.schedule;
  }

  readonly schedule = (): void => {
    if (this.scheduled || this.waitingForSync || this.idle || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.run);
  };

  stop(): void {
    this.stopped = true;
    this.budget.onOverrun = undefined;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.stopped) return;
    const budget = this.budget;
    const target = budget.limit * TARGET_SHARE;
    let paged = 0;
    for (const vhost of this.vhosts()) {
      for (const queue of vhost.queues.values()) {
        if (budget.used <= target || paged >= PASS_ENTRIES) break;
        if (queue.memoryBytes > 0) paged += queue.pageOut(PASS_ENTRIES - paged);
      }
    }
    this.pagedOut += paged;
    const afterSync = this.afterSync;
    this.afterSync = false;
    if (budget.used <= target) return;
    if (paged >= PASS_ENTRIES) {
      this.schedule(); // more to do: on the next turn, letting I/O in between
      return;
    }
    if (paged === 0 && afterSync) {
      // nothing pageable even with everything written: transient messages, head
      // windows, redelivered ones. Look again in a while.
      this.idle = true;
      const timer = setTimeout(() => {
        this.idle = false;
        if (budget.over) this.schedule();
      }, IDLE_MS);
      timer.unref();
      return;
    }
    // what is left may be messages still being written: try again after the next sync
    this.waitingForSync = true;
    this.written().then(
      () => {
        this.waitingForSync = false;
        this.afterSync = true;
        if (budget.over) this.schedule();
      },
      () => {
        this.waitingForSync = false; // the store reported it; charges will call again
      },
    );
  };
}
