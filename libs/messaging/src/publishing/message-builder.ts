import type { Options } from 'amqplib';
import { BINARY_CONTENT_TYPE, Headers, JSON_CONTENT_TYPE } from '../messaging.constants';
import type { PublishOptions } from '../interfaces/publish-options.interface';
import { TraceContext } from '../tracing/trace-context';
import { newMessageId } from './message-id';

/** A message ready for basic.publish. */
export interface BuiltMessage {
  exchange: string;
  routingKey: string;
  readonly content: Buffer;
  readonly properties: Options.Publish & { messageId: string; headers: Record<string, unknown> };
}

/**
 * Encodes the payload and fills in the properties every Surety message carries:
 * messageId (uuid v7), type, timestamp, correlationId, contentType, and the
 * active traceparent.
 */
export function buildMessage(
  exchange: string,
  routingKey: string,
  payload: unknown,
  options: PublishOptions = {},
): BuiltMessage {
  const isBinary = Buffer.isBuffer(payload);
  const content = isBinary ? payload : encodeJson(payload, exchange, routingKey);
  const messageId = options.messageId ?? newMessageId();
  const headers: Record<string, unknown> = { ...options.headers };
  if (headers[Headers.traceparent] === undefined) {
    const traceparent = TraceContext.current();
    if (traceparent) headers[Headers.traceparent] = traceparent;
  }
  return {
    exchange,
    routingKey,
    content,
    properties: {
      messageId,
      type: options.type ?? routingKey,
      // AMQP timestamps are whole seconds by convention (RabbitMQ, most clients).
      timestamp: Math.floor(Date.now() / 1000),
      correlationId: options.correlationId ?? TraceContext.correlationId() ?? messageId,
      contentType: options.contentType ?? (isBinary ? BINARY_CONTENT_TYPE : JSON_CONTENT_TYPE),
      persistent: options.persistent ?? true,
      mandatory: options.mandatory ?? true,
      headers,
      ...(options.priority !== undefined && { priority: options.priority }),
      ...(options.expiration !== undefined && { expiration: options.expiration }),
      ...(options.replyTo !== undefined && { replyTo: options.replyTo }),
    },
  };
}

function encodeJson(payload: unknown, exchange: string, routingKey: string): Buffer {
  const text = JSON.stringify(payload);
  if (text === undefined) {
    throw new TypeError(
      `payload for exchange '${exchange}' routing key '${routingKey}' is not JSON-serialisable (got ${typeof payload})`,
    );
  }
  return Buffer.from(text);
}
