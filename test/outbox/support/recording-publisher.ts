import type { OutgoingMessage, PublishResult } from '@surety/messaging';
import type { BatchPublisher } from '@surety/messaging/outbox';

/** One message a relay handed to the broker, and the broker's verdict once it came. */
export interface PublishAttempt {
  readonly messageId: string;
  readonly key: string | undefined;
  readonly sequence: number | undefined;
  /** Position in this publisher's log when the message was handed to the broker. */
  readonly handedAt: number;
  /** Position in the log when the verdict came back (undefined until then). */
  settledAt?: number;
  status?: PublishResult['status'];
}

/**
 * The real publisher, with a log of every attempt: when it was handed over and when its
 * verdict came back, on one counter. Arrivals at a consumer only show what was confirmed;
 * this also shows what was tried and nacked, what was never tried, and whether a message
 * was handed over before another one's confirm.
 */
export class RecordingPublisher implements BatchPublisher {
  readonly attempts: PublishAttempt[] = [];
  private clock = 0;

  constructor(private readonly publisher: BatchPublisher) {}

  async publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishResult[]> {
    const attempts = messages.map((message) => {
      const headers = message.options?.headers ?? {};
      const key = headers['x-surety-key'];
      const sequence = headers['x-surety-seq'];
      const attempt: PublishAttempt = {
        messageId: String(message.options?.messageId),
        key: typeof key === 'string' ? key : undefined,
        sequence: typeof sequence === 'number' ? sequence : undefined,
        handedAt: this.clock++,
      };
      this.attempts.push(attempt);
      return attempt;
    });
    const results = await this.publisher.publishBatch(messages);
    attempts.forEach((attempt, index) => {
      attempt.settledAt = this.clock++;
      attempt.status = results[index].status;
    });
    return results;
  }

  /** Confirmed publishes: what this relay actually delivered. */
  confirmed(): PublishAttempt[] {
    return this.attempts.filter((a) => a.status === 'confirmed');
  }

  /** Every attempt at one key's messages, in the order they were handed over. */
  ofKey(key: string): PublishAttempt[] {
    return this.attempts.filter((a) => a.key === key);
  }
}
