import type { Channel, ConsumeMessage } from 'amqplib';
import type { MessagingMetrics } from '../connection/messaging-metrics';
import { UnprocessableMessageError } from '../errors';
import type {
  ConsumerMiddleware,
  ConsumerMiddlewareContext,
} from '../interfaces/consumer-middleware.interface';
import type { MessageContext } from '../interfaces/message-context.interface';
import type { SubscribeOptions } from '../interfaces/subscribe-options.interface';
import { TraceContext } from '../tracing/trace-context';
import { composePipeline } from './consumer-pipeline';
import type { BoundHandler, MessageHandlerWrapper } from './handler-wrapper';
import { messageContext } from './message-context';
import type { MessageSettler } from './message-settler';
import { decodePayload } from './payload-decoder';
import { isRedelivery, isRetryable, maxAttempts, retryDelayMs } from './retry-policy';

/** A discovered @Subscribe method, bound to its provider instance. */
export interface SubscriptionHandler {
  /** `Class.method`. */
  readonly name: string;
  readonly options: SubscribeOptions;
  readonly invoke: BoundHandler;
}

interface PreparedHandler extends SubscriptionHandler {
  readonly run: (ctx: ConsumerMiddlewareContext) => Promise<void>;
}

/**
 * Runs the consumer pipeline (see consumer-pipeline.ts) for every delivery of
 * one queue and decides the outcome: ack, delayed retry, or dead-letter.
 */
export class SubscriptionProcessor {
  private readonly byType = new Map<string, PreparedHandler>();
  private readonly catchAll: PreparedHandler | undefined;

  constructor(
    private readonly queue: string,
    handlers: readonly SubscriptionHandler[],
    middleware: readonly ConsumerMiddleware[],
    wrapper: MessageHandlerWrapper,
    private readonly settler: MessageSettler,
    private readonly metrics: MessagingMetrics,
  ) {
    let catchAll: PreparedHandler | undefined;
    for (const handler of handlers) {
      const wrapped = wrapper.wrap(handler.invoke, {
        name: handler.name,
        queue,
        kind: 'subscribe',
      });
      // Not async: one promise less per message; the handler's own promise is passed on.
      const final = (ctx: ConsumerMiddlewareContext): Promise<void> => {
        let result: unknown;
        try {
          result = wrapped(ctx.payload, ctx.message);
        } catch (error) {
          return Promise.reject(error);
        }
        if (!isThenable(result)) {
          return Promise.reject(
            new UnprocessableMessageError(
              'handler-contract',
              `handler ${handler.name} for queue '${queue}' returned ${describe(result)} instead of a Promise; ` +
                `declare it async so Surety can ack only after it finishes`,
            ),
          );
        }
        return result as Promise<void>;
      };
      const prepared = { ...handler, run: composePipeline(middleware, final) };
      const types = handler.options.type;
      if (types === undefined) catchAll = prepared;
      else
        for (const type of typeof types === 'string' ? [types] : types)
          this.byType.set(type, prepared);
    }
    this.catchAll = catchAll;
  }

  readonly process = async (message: ConsumeMessage, channel: Channel): Promise<void> => {
    this.metrics.consumed++;
    const ctx = messageContext(message, this.queue);
    const handler = this.byType.get(ctx.type) ?? this.catchAll;
    try {
      if (!handler) {
        throw new UnprocessableMessageError(
          'unknown-type',
          `no handler on queue '${this.queue}' takes message type '${ctx.type}' (known: ${[...this.byType.keys()].join(', ') || 'none'})`,
        );
      }
      const payload = validate(handler, decodePayload(message), this.queue);
      await TraceContext.enter(ctx.traceparent, ctx.correlationId, () =>
        handler.run({ message: ctx, payload, queue: this.queue, handlerName: handler.name }),
      );
      this.settler.ack(message, channel);
    } catch (error) {
      await this.fail(message, channel, ctx, handler, error);
    }
  };

  private async fail(
    message: ConsumeMessage,
    channel: Channel,
    ctx: MessageContext,
    handler: PreparedHandler | undefined,
    error: unknown,
  ): Promise<void> {
    if (error instanceof UnprocessableMessageError) {
      return this.settler.deadLetter(message, channel, ctx, error.reason, error);
    }
    if (isRedelivery(error)) return this.settler.redeliver(message, channel, ctx, error);
    if (!isRetryable(error)) {
      return this.settler.deadLetter(message, channel, ctx, 'non-retryable-error', error);
    }
    const retry = handler?.options.retry;
    if (ctx.attempt < maxAttempts(retry)) {
      return this.settler.retry(message, channel, ctx, retryDelayMs(retry, ctx.attempt), error);
    }
    return this.settler.deadLetter(message, channel, ctx, 'retries-exhausted', error);
  }
}

function validate(handler: SubscriptionHandler, payload: unknown, queue: string): unknown {
  const schema = handler.options.schema;
  if (!schema) return payload;
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new UnprocessableMessageError(
    'invalid-payload',
    `payload does not match the schema of ${handler.name} on queue '${queue}': ${issues}`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
