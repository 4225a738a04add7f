import type { Options } from 'amqplib';
import type { ZodType } from 'zod';
import type { ExchangeDeclaration } from './topology.interface';

/** Options of @RpcHandler. @publicApi */
export interface RpcHandlerOptions<T = unknown> {
  /** Request queue; declared durable unless `declare` is false. */
  readonly queue: string;
  /** Exchange to bind the queue to (name of a declared exchange, or a declaration). */
  readonly exchange?: string | ExchangeDeclaration;
  readonly routingKey?: string;
  readonly routingKeys?: readonly string[];
  /** Default 20. */
  readonly prefetch?: number;
  /** Default: prefetch. */
  readonly concurrency?: number;
  /** zod schema for the request; a mismatch is answered with an error reply. */
  readonly schema?: ZodType<T>;
  readonly queueOptions?: Options.AssertQueue;
  readonly declare?: boolean;
}

/** @publicApi */
export interface RequestOptions {
  /** Milliseconds to wait for the reply. Default 5 000. */
  readonly timeout?: number;
  readonly type?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly correlationId?: string;
}
