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
 * It only gathers: `send` answers every input of the batch itself (the store calls
 * back into each delivery's GuardedRun). No promise per call: with a thousand
 * deliveries in flight, a promise per call and the reaction awaiting it (each also
 * carrying the AsyncLocalStorage fields a traced consumer puts on every promise) were
 * a large part of what the garbage collector had to copy and promote.
 */
export class CallBatcher<I> {
  private open: I[] = [];
  private scheduled = false;

  constructor(
    private readonly send: (inputs: I[]) => void,
    private readonly maxBatch: number,
  ) {}

  add(input: I): void {
    const open = this.open;
    if (open.push(input) >= this.maxBatch) {
      this.open = [];
      this.send(open);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const open = this.open;
    if (open.length === 0) return;
    this.open = [];
    this.send(open);
  };
}
