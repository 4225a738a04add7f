const ACQUIRED = 0x61; // 'a'
const DONE = 0x64; // 'd'
const BUSY = 0x62; // 'b'

/** What one key's acquire found: the lease is ours, it was done, or it is busy for `ms`. */
export type LeaseState = 'acquired' | 'done' | number;

/**
 * The leases one acquire call took: one token for all of them, the script's answer
 * (see ACQUIRE_MANY) and which of its keys still have an effect running (for
 * renewal). Replaces a map entry per delivery.
 */
export class LeaseBatch {
  /** Keys whose effect still runs, by position in the acquire call; undefined once finished. */
  private readonly running: (string | undefined)[];
  private live = 0;

  constructor(
    readonly token: string,
    /** One letter per key of the call (a, d, b), then the ms left of each busy key's lease. */
    private readonly answer: readonly [string, ...number[]],
    keys: readonly string[],
    readonly since: number,
  ) {
    const codes = answer[0];
    this.running = new Array<string | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      if (codes.charCodeAt(i) === ACQUIRED) {
        this.running[i] = keys[i];
        this.live++;
      }
    }
  }

  get active(): boolean {
    return this.live > 0;
  }

  state(index: number): LeaseState {
    const codes = this.answer[0];
    const code = codes.charCodeAt(index);
    if (code === ACQUIRED) return 'acquired';
    if (code === DONE) return 'done';
    // Busy keys are rare (a duplicate while another worker runs): count to find its ms.
    let busyBefore = 0;
    for (let i = 0; i < index; i++) if (codes.charCodeAt(i) === BUSY) busyBefore++;
    return Math.max(Number(this.answer[1 + busyBefore]), 1);
  }

  /** The effect of key `index` is over (done or failed): its lease needs no renewal. */
  finish(index: number): void {
    if (this.running[index] === undefined) return;
    this.running[index] = undefined;
    this.live--;
  }

  /** Keys whose effects still run. */
  *keys(): IterableIterator<string> {
    for (const key of this.running) if (key !== undefined) yield key;
  }
}
