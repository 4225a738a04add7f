import type {
  ConsumerMiddleware,
  ConsumerMiddlewareContext,
} from '../interfaces/consumer-middleware.interface';

/**
 * The consumer pipeline, stage by stage, for one delivery:
 *
 *   1. decode       JSON (or Buffer for octet-stream)      -> non-json: dead-letter
 *   2. dispatch     pick the handler by message type       -> unknown-type: dead-letter
 *   3. validate     the handler's zod schema               -> invalid-payload: dead-letter
 *   4. middleware   CONSUMER_MIDDLEWARE, in list order     (idempotency, per-key ordering, ...)
 *   5. handler      through MessageHandlerWrapper.wrap()
 *   then ack; on a thrown error retry with delay, or dead-letter after the last attempt.
 *
 * This file composes stages 4-5; 1-3 and the outcome live in SubscriptionProcessor.
 */
export function composePipeline(
  middleware: readonly ConsumerMiddleware[],
  handler: (ctx: ConsumerMiddlewareContext) => Promise<void>,
): (ctx: ConsumerMiddlewareContext) => Promise<void> {
  return middleware.reduceRight<(ctx: ConsumerMiddlewareContext) => Promise<void>>(
    (next, stage) => (ctx) => {
      let called = false;
      return stage(ctx, () => {
        if (called) return Promise.reject(new Error('consumer middleware called next() twice'));
        called = true;
        return next(ctx);
      });
    },
    handler,
  );
}
