import type { MessageContext } from '../interfaces/message-context.interface';

/** A handler bound to its instance: (payload, context) => result. */
export type BoundHandler = (payload: unknown, context: MessageContext) => unknown;

/** What the wrapper knows about the handler it wraps. */
export interface HandlerDescription {
  /** `Class.method`. */
  readonly name: string;
  readonly queue: string;
  readonly kind: 'subscribe' | 'rpc';
}

/**
 * The seam around every handler (after @nestjs/bullmq's wrapper): `wrap`
 * returns the handler unchanged by default. Pass a subclass as the module's
 * `handlerWrapper` option to add tracing spans, metrics or a per-handler
 * transaction without touching the consumer.
 *
 * @publicApi
 */
export class MessageHandlerWrapper {
  wrap(handler: BoundHandler, _description: HandlerDescription): BoundHandler {
    return handler;
  }
}
