import type { ConsumeMessage } from 'amqplib';

/**
 * What a handler knows about the message besides its payload.
 *
 * @publicApi
 */
export interface MessageContext {
  readonly messageId: string;
  readonly type: string;
  readonly correlationId: string;
  readonly headers: Readonly<Record<string, unknown>>;
  /** The broker's redelivered flag: an earlier delivery of this copy was not acked. */
  readonly redelivered: boolean;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly queue: string;
  /** Exchange and routing key as originally published (not the delay or retry hop). */
  readonly exchange: string;
  readonly routingKey: string;
  /** Publish time (AMQP timestamp, whole seconds) if the publisher set one. */
  readonly timestamp?: Date;
  readonly traceparent?: string;
  readonly raw: ConsumeMessage;
}
