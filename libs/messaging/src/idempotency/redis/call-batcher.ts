/** Where one call's answer is: the batch it joined and its place in that batch. */
export interface BatchSlot<R> {
  readonly batch: Promise<R>;
  readonly index: number;
}

interface OpenBatch<I, R> {
  readonly inputs: I[];
  readonly promise: Promise<R>;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Gathers the calls made during one event-loop turn and hands them over as one batch
 * (at most `maxBatch`), so that the many deliveries a consumer handles at once cost one
 * Redis command per turn instead of one each. Adds at most one loop turn of latency.
 *
 * Every call of a batch shares the batch's one promise and reads its own answer at its
 * index: with a thousand deliveries in flight, a promise and two resolver closures per
 * call were a large part of what the garbage collector had to trace and promote.
 */
export class CallBatcher<I, R> {
  private open: OpenBatch<I, R> | undefined = undefined;
  private full: OpenBatch<I, R>[] = [];
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<R>,
    private readonly maxBatch = 500,
  ) {}

  add(input: I): BatchSlot<R> {
    let open = this.open;
    if (open === undefined || open.inputs.length >= this.maxBatch) {
      if (open !== undefined) this.full.push(open);
      open = this.open = newBatch<I, R>();
    }
    open.inputs.push(input);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return { batch: open.promise, index: open.inputs.length - 1 };
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batches = this.full;
    if (this.open !== undefined) batches.push(this.open);
    this.open = undefined;
    this.full = [];
    for (const batch of batches) {
      this.run(batch.inputs).then(batch.resolve, batch.reject);
    }
  };
}

function newBatch<I, R>(): OpenBatch<I, R> {
  let resolve!: (result: R) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<R>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits any more (all its callers gave up) must not crash the process.
  promise.catch(() => undefined);
  return { inputs: [], promise, resolve, reject };
}
