/**
 * A first-delivery mark waits at least this long (less than twice it) in memory before
 * it is due for the ack file. Most deliveries are acked sooner, and an acked record
 * needs no mark — its removal is written instead — so a consume-and-ack stream whose
 * acks come back within this time writes no marks at all.
 */
export const MARK_DELAY_MS = 200;

/**
 * First-delivery marks of persisted records (segment id -> positions) not yet written
 * to their ack files. They are never fsync'd and may wait: a mark lost in a crash
 * only means the message comes back with redelivered=false.
 *
 * One timer ages them in two steps: a tick moves `waiting` to `aging` and `aging` to
 * `due`, so a mark is due only after a full interval has passed since it was made.
 */
export class DeliveryMarks {
  private waiting = new Map<number, Set<number>>();
  private aging = new Map<number, Set<number>>();
  private due = new Map<number, Set<number>>();
  private timer: NodeJS.Timeout | undefined;

  /** `onDue` is told when marks became due (the owner schedules a flush). */
  constructor(private readonly onDue: () => void) {}

  add(segment: number, position: number): void {
    let positions = this.waiting.get(segment);
    if (positions === undefined) this.waiting.set(segment, (positions = new Set()));
    positions.add(position);
    this.arm();
  }

  /** The record was removed: a mark not written yet is not needed any more. */
  drop(segment: number, position: number): void {
    if (this.waiting.size === 0 && this.aging.size === 0 && this.due.size === 0) return;
    this.waiting.get(segment)?.delete(position);
    this.aging.get(segment)?.delete(position);
    this.due.get(segment)?.delete(position);
  }

  hasDue(): boolean {
    return this.due.size > 0;
  }

  /** Makes every waiting mark due now (clean close: the flag survives a restart). */
  ripenAll(): void {
    this.stop();
    const ripe = this.waiting.size > 0 || this.aging.size > 0;
    merge(this.due, this.aging);
    merge(this.due, this.waiting);
    this.aging = new Map();
    this.waiting = new Map();
    if (ripe) this.onDue();
  }

  /** The due marks per segment, handed over for writing. */
  takeDue(): Map<number, Set<number>> {
    const due = this.due;
    this.due = new Map();
    return due;
  }

  forgetSegment(segment: number): void {
    this.waiting.delete(segment);
    this.aging.delete(segment);
    this.due.delete(segment);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(this.tick, MARK_DELAY_MS);
    this.timer.unref(); // a pending mark must not keep the process alive
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const ripe = this.aging.size > 0;
    merge(this.due, this.aging);
    this.aging = this.waiting;
    this.waiting = new Map();
    if (this.aging.size > 0) this.arm();
    if (ripe) this.onDue();
  };
}

function merge(into: Map<number, Set<number>>, from: Map<number, Set<number>>): void {
  for (const [segment, positions] of from) {
    if (positions.size === 0) continue;
    const existing = into.get(segment);
    if (existing === undefined) into.set(segment, positions);
    else for (const position of positions) existing.add(position);
  }
}
