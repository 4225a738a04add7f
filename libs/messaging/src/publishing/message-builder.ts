import type { Options } from 'amqplib';
import { BINARY_CONTENT_TYPE, Headers, JSON_CONTENT_TYPE } from '../messaging.constants';
import type { PublishOptions } from '../interfaces/publish-options.interface';
import { TraceContext } from '../tracing/trace-context';
import { newMessageId } from './message-id';

/** The properties of a built message: what amqplib encodes, messageId and headers always set. */
export type BuiltProperties = Options.Publish & {
  messageId: string;
  headers: Record<string, unknown>;
};

/** A message ready for basic.publish. */
export interface BuiltMessage {
  exchange: string;
  routingKey: string;
  readonly content: Buffer;
  readonly properties: BuiltProperties;
}

const NO_OPTIONS: PublishOptions = {};

/**
 * Encodes the payload and fills in the properties every Surety message carries:
 * messageId (uuid v7), type, timestamp, correlationId, contentType, and the
 * active traceparent. Runs once per publish, so it does the least it can: one
 * AsyncLocalStorage lookup, one clock read, and a properties object of one
 * shape (absent options are `undefined`, which amqplib skips when encoding).
 */
export function buildMessage(
  exchange: string,
  routingKey: string,
  payload: unknown,
  options: PublishOptions = NO_OPTIONS,
): BuiltMessage {
  const isBinary = Buffer.isBuffer(payload);
  const content = isBinary ? payload : encodeJson(payload, exchange, routingKey);
  const messageId = options.messageId ?? newMessageId();
  const scope = TraceContext.scope();
  const given = options.headers;
  let headers: Record<string, unknown>;
  if (given === undefined) {
    headers = scope?.traceparent ? { [Headers.traceparent]: scope.traceparent } : {};
  } else {
    headers = { ...given };
    if (headers[Headers.traceparent] === undefined && scope?.traceparent) {
      headers[Headers.traceparent] = scope.traceparent;
    }
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
      correlationId: options.correlationId ?? scope?.correlationId ?? messageId,
      contentType: options.contentType ?? (isBinary ? BINARY_CONTENT_TYPE : JSON_CONTENT_TYPE),
      persistent: options.persistent ?? true,
      mandatory: options.mandatory ?? true,
      headers,
      priority: options.priority,
      expiration: options.expiration,
      replyTo: options.replyTo,
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
