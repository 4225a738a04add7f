/** A promise with its resolve/reject exposed: the completion of one group-commit batch. */
export class Deferred {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A batch nobody awaited must not turn into an unhandled rejection; waiters still see it.
    this.promise.catch(() => undefined);
  }
}
