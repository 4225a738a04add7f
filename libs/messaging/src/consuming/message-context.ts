import type { ConsumeMessage } from 'amqplib';
import { Headers } from '../messaging.constants';
import type { MessageContext } from '../interfaces/message-context.interface';

/** Builds the handler's view of a delivery, looking through retry and delay hops. */
export function messageContext(message: ConsumeMessage, queue: string): MessageContext {
  const { properties, fields } = message;
  const headers = (properties.headers ?? {}) as Record<string, unknown>;
  const messageId = asString(properties.messageId) ?? `${queue}#${fields.deliveryTag}`;
  const routingKey = asString(headers[Headers.originalRoutingKey]) ?? fields.routingKey;
  return {
    messageId,
    // Without a type property the routing key it was published with, not a retry
    // hop's (the queue name): a retried copy must reach the handler of its first attempt.
    type: asString(properties.type) ?? routingKey,
    correlationId: asString(properties.correlationId) ?? messageId,
    headers,
    redelivered: fields.redelivered,
    attempt: attemptOf(headers),
    queue,
    exchange: originalExchange(message),
    routingKey,
    timestamp:
      typeof properties.timestamp === 'number' ? new Date(properties.timestamp * 1000) : undefined,
    traceparent: asString(headers[Headers.traceparent]),
    raw: message,
  };
}

export function attemptOf(headers: Record<string, unknown>): number {
  const value = Number(headers[Headers.attempt] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

/** The exchange the publisher chose, not the delay level that dead-lettered the copy to us. */
export function originalExchange(message: ConsumeMessage): string {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return (
    asString(headers[Headers.originalExchange]) ??
    asString(headers[Headers.delayTargetExchange]) ??
    (headers[Headers.delayTargetQueue] !== undefined ? '' : message.fields.exchange)
  );
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  return undefined;
}
