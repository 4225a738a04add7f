import type { Options } from 'amqplib';

/** @publicApi */
export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: 'direct' | 'topic' | 'fanout' | 'headers' | (string & {});
  /** Defaults: durable true. */
  readonly options?: Options.AssertExchange;
}

/** @publicApi */
export interface QueueDeclaration {
  readonly name: string;
  /** Defaults: durable true. */
  readonly options?: Options.AssertQueue;
}

/**
 * A binding from `source` (an exchange) to a queue, or to another exchange
 * (exchange-to-exchange) when `exchange` is given instead of `queue`.
 *
 * @publicApi
 */
export type BindingDeclaration = {
  readonly source: string;
  readonly pattern: string;
  readonly arguments?: Record<string, unknown>;
} & (
  | { readonly queue: string; readonly exchange?: never }
  | { readonly exchange: string; readonly queue?: never }
);

/**
 * Entities declared at start and again after every reconnect (a RabbitMQ node
 * that lost non-durable state, or a fresh cluster node, gets them back).
 *
 * @publicApi
 */
export interface Topology {
  readonly exchanges?: readonly ExchangeDeclaration[];
  readonly queues?: readonly QueueDeclaration[];
  readonly bindings?: readonly BindingDeclaration[];
}
