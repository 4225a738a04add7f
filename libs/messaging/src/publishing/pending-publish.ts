import {
  ConnectionLostError,
  PublishNackedError,
  PublishTimeoutError,
  UnroutableMessageError,
  type MessagingError,
  type PublishTarget,
} from '../errors';
import type { PublishResult } from '../interfaces/publish-options.interface';

/**
 * How a publish learns its verdict: publish() resolves with the messageId or
 * rejects with the typed error; send() and publishBatch() resolve with a
 * PublishResult and never reject.
 */
export type Verdict = 'throw' | 'result';

/**
 * One message from the moment it holds a window slot until its verdict: one
 * object of one shape per publish (no closures of its own), settled at most once.
 */
export class PendingPublish implements PublishTarget {
  /** Set by basic.return (which comes before the confirm of the same message). */
  returned: { code: number; text: string } | undefined = undefined;
  /** Where the frame actually went (a delayed message goes to a delay level): set on send. */
  sentExchange = '';
  sentRoutingKey = '';
  settled = false;
  /** True while it counts against the publisher's window (released exactly once). */
  holdsSlot = false;
  deadline = 0;
  // Filled by the promise executor, which runs synchronously in the constructor's caller.
  private resolve!: (value: string | PublishResult) => void;
  private reject!: (error: MessagingError) => void;

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly messageId: string,
    readonly timeoutMs: number,
    private readonly verdict: Verdict,
    /** Runs once when the verdict is known (frees the window slot, counts the outcome). */
    private readonly onSettled: (entry: PendingPublish, status: PublishResult['status']) => void,
  ) {}

  /** The promise publish()/send() return; call once, right after construction. */
  promise<T extends string | PublishResult>(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.resolve = resolve as (value: string | PublishResult) => void;
      this.reject = reject;
    });
  }

  /** The broker acked: stored, or (after a basic.return) returned. */
  confirmed(): void {
    if (this.returned) {
      const { code, text } = this.returned;
      this.fail('returned', new UnroutableMessageError(this.target(), code, text));
    } else this.succeed();
  }

  nacked(): void {
    this.fail('nacked', new PublishNackedError(this.target()));
  }

  timedOut(): void {
    this.fail('failed', new PublishTimeoutError(this.target(), this.timeoutMs, 'confirm'));
  }

  lost(reason: string): void {
    this.fail('failed', new ConnectionLostError(this.target(), reason));
  }

  /** Ends with `error` (status 'failed' unless it is a broker verdict). */
  fail(status: PublishResult['status'], error: MessagingError): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled(this, status);
    if (this.verdict === 'throw') this.reject(error);
    else this.resolve({ messageId: this.messageId, status, error });
  }

  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled(this, 'confirmed');
    this.resolve(
      this.verdict === 'throw'
        ? this.messageId
        : { messageId: this.messageId, status: 'confirmed' },
    );
  }

  /** A plain copy for errors, so an error kept by the caller does not pin this object. */
  target(): PublishTarget {
    return { exchange: this.exchange, routingKey: this.routingKey, messageId: this.messageId };
  }
}
