/**
 * Adds idempotency to the messaging core's public types, so that it reads as part of
 * @Subscribe (the core's files stay untouched; see docs/outbox/idempotency.md):
 *
 *     @Subscribe({ queue: 'fees.policy', idempotency: 'db' })
 *     async onIssued(event: PolicyIssued, context: MessageContext) {
 *       await context.tx!.fee.create({ ... });   // same transaction as the inbox row
 *     }
 */
import type { Prisma } from '@surety/database';
import type { IdempotencySetting } from './interfaces/idempotency-options.interface';

declare module '../interfaces/subscribe-options.interface' {
  // The type parameter must repeat the original declaration's, used or not.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface SubscribeOptions<T> {
    /** Deduplicate deliveries: 'db' (exactly-once effect) or 'redis' (dedup window). */
    readonly idempotency?: IdempotencySetting;
  }
}

declare module '../interfaces/message-context.interface' {
  interface MessageContext {
    /**
     * With `idempotency: 'db'`: the Prisma transaction the inbox row is written in.
     * Write the handler's effects through it, or they are not exactly-once.
     */
    readonly tx?: Prisma.TransactionClient;
  }
}

export {};
