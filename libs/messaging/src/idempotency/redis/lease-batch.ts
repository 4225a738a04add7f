/**
 * The leases one acquire call took: one token for all of them, and which of its keys
 * still have an effect running (for renewal). Replaces a map entry per delivery.
 */
export class LeaseBatch {
  /** Keys whose effect still runs, by position in the acquire call; undefined once finished. */
  private readonly running: (string | undefined)[];
  private live = 0;

  constructor(
    readonly token: string,
    /** Per key of the call: ACQUIRED, ALREADY_DONE, or the ms another lease still lives. */
    readonly states: readonly number[],
    keys: readonly string[],
    acquired: number,
    readonly since: number,
  ) {
    this.running = new Array<string | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      if (states[i] === acquired) {
        this.running[i] = keys[i];
        this.live++;
      }
    }
  }

  get active(): boolean {
    return this.live > 0;
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
