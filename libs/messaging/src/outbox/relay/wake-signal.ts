/**
 * Wakes the relay loop: a NOTIFY, the poll timer, a finished batch, or stop().
 * `pending` remembers a wake that came while nobody was waiting (e.g. a NOTIFY that
 * arrived during a claim query whose snapshot predates the new rows), so it is not lost.
 */
export class WakeSignal {
  private waiter: (() => void) | undefined;
  private pending = false;

  wake(): void {
    this.pending = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Forget wakes up to now: called right before a claim, which sees everything committed so far. */
  consume(): void {
    this.pending = false;
  }

  /** Resolves at the next wake, or at once if one is pending, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const previous = this.waiter;
      this.waiter = done;
      function done() {
        clearTimeout(timer);
        previous?.();
        resolve();
      }
    });
  }
}
