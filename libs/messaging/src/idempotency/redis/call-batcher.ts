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
 * Gathers the calls made during one event-loop turn and hands them over as one batch,
 * so that the many deliveries a consumer handles at once cost one Redis command per
 * batch instead of one each. Adds at most one loop turn of latency.
 *
 * A batch that reaches `maxBatch` leaves at once, in the middle of the turn: a consumer
 * takes in hundreds of deliveries in one socket read, and Redis works on the first
 * batch while the consumer is still decoding the rest, instead of all waiting for the
 * end of the turn and then for one another.
 *
 * Every call of a batch shares the batch's one promise and reads its own answer at its
 * index: with a thousand deliveries in flight, a promise and two resolver closures per
 * call were a large part of what the garbage collector had to trace and promote.
 */
export class CallBatcher<I, R> {
  private open: OpenBatch<I, R> | undefined = undefined;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<R>,
    private readonly maxBatch = 500,
  ) {}

  add(input: I): BatchSlot<R> {
    let open = this.open;
    if (open === undefined) open = this.open = newBatch<I, R>();
    const index = open.inputs.push(input) - 1;
    if (index + 1 >= this.maxBatch) {
      this.open = undefined;
      this.send(open);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return { batch: open.promise, index };
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const open = this.open;
    this.open = undefined;
    if (open !== undefined) this.send(open);
  };

  private send(batch: OpenBatch<I, R>): void {
    let sent: Promise<R>;
    try {
      sent = this.run(batch.inputs);
    } catch (error) {
      batch.reject(error);
      return;
    }
    sent.then(batch.resolve, batch.reject);
  }
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
