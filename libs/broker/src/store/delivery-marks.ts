/**
 * A first-delivery mark waits this long in memory before it is due for the ack file.
 * Most deliveries are acked sooner, and an acked record needs no mark: its removal is
 * written instead, so a consume-and-ack stream writes no marks at all.
 */
export const MARK_DELAY_MS = 200;

/**
 * First-delivery marks of persisted records (segment id -> positions) not yet written
 * to their ack files. They are never fsync'd and may wait: a mark lost in a crash
 * only means the message comes back with redelivered=false.
 */
export class DeliveryMarks {
  private waiting = new Map<number, Set<number>>();
  private due = new Map<number, Set<number>>();
  private timer: NodeJS.Timeout | undefined;

  /** `onDue` is told when marks became due (the owner schedules a flush). */
  constructor(private readonly onDue: () => void) {}

  add(segment: number, position: number): void {
    let positions = this.waiting.get(segment);
    if (positions === undefined) this.waiting.set(segment, (positions = new Set()));
    positions.add(position);
    if (this.timer === undefined) {
      this.timer = setTimeout(this.ripen, MARK_DELAY_MS);
      this.timer.unref(); // a pending mark must not keep the process alive
    }
  }

  /** The record was removed: a mark not written yet is not needed any more. */
  drop(segment: number, position: number): void {
    if (this.waiting.size === 0 && this.due.size === 0) return; // the usual case: nothing waits
    this.waiting.get(segment)?.delete(position);
    this.due.get(segment)?.delete(position);
  }

  hasDue(): boolean {
    return this.due.size > 0;
  }

  /** Makes every waiting mark due now (clean close: the flag survives a restart). */
  ripenAll(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ripen();
  }

  /** The due marks per segment, handed over for writing. */
  takeDue(): Map<number, Set<number>> {
    const due = this.due;
    this.due = new Map();
    return due;
  }

  forgetSegment(segment: number): void {
    this.waiting.delete(segment);
    this.due.delete(segment);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly ripen = (): void => {
    this.timer = undefined;
    if (this.waiting.size === 0) return;
    for (const [segment, positions] of this.waiting) {
      const due = this.due.get(segment);
      if (due === undefined) this.due.set(segment, positions);
      else for (const position of positions) due.add(position);
    }
    this.waiting = new Map();
    this.onDue();
  };
}
