import type { OutgoingMessage, PublishResult } from '@surety/messaging';
import type { BatchPublisher } from '@surety/messaging/outbox';

/** One message a relay handed to the broker, and the broker's verdict on it. */
export interface PublishAttempt {
  readonly messageId: string;
  readonly key: string | undefined;
  readonly sequence: number | undefined;
  readonly status: PublishResult['status'];
}

/**
 * The real publisher, with a log of every attempt in the order the verdicts came back.
 * Arrivals at a consumer only show what was confirmed; this also shows what was tried
 * and nacked, and what a relay never tried at all.
 */
export class RecordingPublisher implements BatchPublisher {
  readonly attempts: PublishAttempt[] = [];

  constructor(private readonly publisher: BatchPublisher) {}

  async publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishResult[]> {
    const results = await this.publisher.publishBatch(messages);
    messages.forEach((message, index) => {
      const headers = message.options?.headers ?? {};
      const key = headers['x-surety-key'];
      const sequence = headers['x-surety-seq'];
      this.attempts.push({
        messageId: String(message.options?.messageId),
        key: typeof key === 'string' ? key : undefined,
        sequence: typeof sequence === 'number' ? sequence : undefined,
        status: results[index].status,
      });
    });
    return results;
  }

  /** Confirmed publishes: what this relay actually delivered. */
  confirmed(): PublishAttempt[] {
    return this.attempts.filter((a) => a.status === 'confirmed');
  }
}
