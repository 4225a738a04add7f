/** One item's fate in a batch. */
export type Settled<O> =
  { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

/**
 * Runs items in batches, at most `maxConcurrent` batches at a time. Items that arrive
 * while every runner is busy wait and form the next batch, so batches grow with load
 * and a lone item still runs at once (after the current event-loop turn, which gathers
 * the deliveries that arrived together).
 */
export class TransactionBatcher<I, O> {
  private readonly queue: { input: I; resolve(value: O): void; reject(error: unknown): void }[] =
    [];
  private active = 0;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<Settled<O>[]>,
    private readonly maxBatch: number,
    private readonly maxConcurrent: number,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.active < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.active++;
      this.run(batch.map((b) => b.input))
        .then(
          (results) =>
            batch.forEach((b, i) => {
              const result = results[i];
              if (result.ok) b.resolve(result.value);
              else b.reject(result.error);
            }),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }
}
