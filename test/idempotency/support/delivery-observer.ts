import type { ConsumerMiddleware } from '@surety/messaging';

/**
 * A consumer middleware placed before the idempotency stage: it records each delivery
 * as it arrives and how the rest of the pipeline settled it — `settled` (the core acks
 * it: handled, or skipped as a duplicate) or `failed` (retried or dead-lettered).
 */
export class DeliveryObserver {
  readonly arrived: string[] = [];
  readonly settled: string[] = [];
  readonly failed: { messageId: string; error: Error }[] = [];
  /** Called on arrival, before the idempotency stage sees the delivery. */
  onArrival: (messageId: string) => void | Promise<void> = () => undefined;

  readonly middleware: ConsumerMiddleware = async (ctx, next) => {
    const messageId = ctx.message.messageId;
    this.arrived.push(messageId);
    await this.onArrival(messageId);
    try {
      await next();
    } catch (error) {
      this.failed.push({ messageId, error: error as Error });
      throw error;
    }
    this.settled.push(messageId);
  };
}
