import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage, Message } from 'amqplib';
import { errorText } from '../connection/connection-manager';
import { InvalidMessageError } from '../errors';
import type { MessagingMetrics } from '../connection/messaging-metrics';
import { LEVEL_HEADER_PREFIX } from '../delay/delay-levels';
import { BROKER_DEATH_HEADERS, Headers } from '../messaging.constants';
import type { MessageContext } from '../interfaces/message-context.interface';
import type { BuiltMessage } from '../publishing/message-builder';
import type { Publisher } from '../publishing/publisher';
import { AckBatcher, ackBatcherOf } from './ack-batcher';

/** Why a message left its queue for the dead-letter queue. */
export type DeadLetterReason =
  | 'retries-exhausted'
  | 'non-retryable-error'
  | 'non-json'
  | 'invalid-payload'
  | 'unknown-type'
  | 'handler-contract';

/** When republishing a failed message fails (broker trouble), wait this long before requeueing it. */
const REQUEUE_PAUSE_MS = 1000;

/**
 * The three ways a delivery ends: ack; a delayed retry copy (published with
 * confirm, then the original acked); or a copy in the dead-letter queue with
 * the error recorded in headers (confirmed, then acked). A message is only
 * acked once its successor is safely stored, so a crash in between duplicates
 * at worst, never loses.
 */
export class MessageSettler {
  private readonly logger: Logger;

  constructor(
    private readonly queue: string,
    private readonly publisher: Publisher,
    private readonly metrics: MessagingMetrics,
    private readonly deadLetterQueue: string | undefined,
    /** Declares the topology again (on the live connection), as a consumer does after a cancel. */
    private readonly restoreTopology?: () => Promise<unknown>,
  ) {
    this.logger = new Logger(`Surety.Consumer(${queue})`);
  }

  /** Acks with the channel's next batch (within this event-loop turn; see AckBatcher). */
  ack(message: ConsumeMessage, channel: Channel): void {
    ackBatcherOf(channel, this.makeBatcher).ack(message);
  }

  private readonly makeBatcher = (channel: Channel) =>
    new AckBatcher(
      channel,
      (count) => (this.metrics.acked += count),
      (count, error) =>
        this.logger.warn(
          `cannot ack ${count} message(s), channel closed: ${errorText(error)}; the broker redelivers them`,
        ),
    );

  async retry(
    message: ConsumeMessage,
    channel: Channel,
    ctx: MessageContext,
    delayMs: number,
    error: unknown,
  ) {
    const headers = cleanHeaders(message);
    headers[Headers.attempt] = ctx.attempt + 1;
    headers[Headers.originalExchange] = ctx.exchange;
    headers[Headers.originalRoutingKey] = ctx.routingKey;
    headers[Headers.errorMessage] = errorMessage(error);
    headers[Headers.errorName] = errorName(error);
    const result = await this.publisher.send(copyOf(message, '', this.queue, headers), {
      delay: delayMs,
    });
    if (result.error instanceof InvalidMessageError) {
      // The copy cannot be encoded (headers too large for the client's buffer, ...) and
      // never will be: a requeue would run the handler again every second, forever.
      this.logger.error(
        `cannot schedule retry ${ctx.attempt + 1} of message ${ctx.messageId}: ${result.error.message}; dead-lettering it`,
      );
      return this.deadLetter(message, channel, ctx, 'non-retryable-error', error);
    }
    if (result.status !== 'confirmed') {
      this.logger.error(
        `cannot schedule retry ${ctx.attempt + 1} of message ${ctx.messageId}: ${result.error?.message}; requeueing it`,
      );
      return this.requeueLater(message, channel);
    }
    this.metrics.retried++;
    this.logger.warn(
      `message ${ctx.messageId} (${ctx.type}) failed attempt ${ctx.attempt}: ${errorName(error)}: ${errorMessage(error)}; retry in ${delayMs} ms`,
    );
    this.ack(message, channel);
  }

  async deadLetter(
    message: ConsumeMessage,
    channel: Channel,
    ctx: MessageContext | undefined,
    reason: DeadLetterReason,
    error: unknown,
  ): Promise<void> {
    const messageId = ctx?.messageId ?? String(message.properties.messageId ?? '(no id)');
    const summary = `message ${messageId} from '${this.queue}' dead-lettered (${reason}): ${errorName(error)}: ${errorMessage(error)}`;
    if (!this.deadLetterQueue) {
      this.logger.error(`${summary}; no dead-letter queue configured, rejecting it`);
      safely(() => channel.reject(message, false));
      ackBatcherOf(channel, this.makeBatcher).settledElsewhere(message);
      return;
    }
    const headers = cleanHeaders(message);
    headers[Headers.deadLetterReason] = reason;
    headers[Headers.errorMessage] = errorMessage(error);
    headers[Headers.errorName] = errorName(error);
    headers[Headers.attempts] = ctx?.attempt ?? 1;
    headers[Headers.originalExchange] = ctx?.exchange ?? message.fields.exchange;
    headers[Headers.originalRoutingKey] = ctx?.routingKey ?? message.fields.routingKey;
    headers[Headers.failedAt] = new Date().toISOString();
    headers[Headers.deadLetterQueue] = this.queue;
    let copy = copyOf(message, '', this.deadLetterQueue, headers);
    let result = await this.publisher.send(copy);
    if (result.error instanceof InvalidMessageError) {
      // The original headers cannot be sent along (too large, ...): keep the message
      // with Surety's headers only, and say what was dropped, rather than requeue it forever.
      const own: Record<string, unknown> = { [Headers.headersDropped]: result.error.message };
      for (const name of DEAD_LETTER_HEADERS) own[name] = headers[name];
      copy = copyOf(message, '', this.deadLetterQueue, own);
      result = await this.publisher.send(copy);
    }
    if (result.status === 'returned' && this.restoreTopology) {
      // Unroutable: the dead-letter queue was deleted (nothing re-declares it while the
      // consumer's own queue stays). Without it every failure would requeue forever.
      this.logger.warn(
        `dead-letter queue '${this.deadLetterQueue}' is gone; declaring the topology again`,
      );
      await this.restoreTopology().catch(() => undefined);
      result = await this.publisher.send(copy);
    }
    if (result.status !== 'confirmed') {
      this.logger.error(
        `${summary}; but the dead-letter publish failed: ${result.error?.message}; requeueing it`,
      );
      return this.requeueLater(message, channel);
    }
    this.metrics.deadLettered++;
    this.logger.error(`${summary} -> '${this.deadLetterQueue}'`);
    this.ack(message, channel);
  }

  /** Back to the queue unchanged (not processed, so no attempt counted), after the usual pause. */
  async redeliver(
    message: ConsumeMessage,
    channel: Channel,
    ctx: MessageContext,
    error: unknown,
  ): Promise<void> {
    this.logger.warn(
      `message ${ctx.messageId} (${ctx.type}) was not processed: ${errorMessage(error)}; requeueing it`,
    );
    return this.requeueLater(message, channel);
  }

  /** Never an immediate requeue loop: pause first, so a broken broker is not hammered. */
  private async requeueLater(message: ConsumeMessage, channel: Channel): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, REQUEUE_PAUSE_MS));
    safely(() => channel.nack(message, false, true));
    ackBatcherOf(channel, this.makeBatcher).settledElsewhere(message);
  }
}

/** What a dead-letter copy records, kept when the original headers cannot be. */
const DEAD_LETTER_HEADERS = [
  Headers.deadLetterReason,
  Headers.errorMessage,
  Headers.errorName,
  Headers.attempts,
  Headers.originalExchange,
  Headers.originalRoutingKey,
  Headers.failedAt,
  Headers.deadLetterQueue,
];

/** A publishable copy of a delivery with new headers (no expiration: it would cut delays short). */
export function copyOf(
  message: Message,
  exchange: string,
  routingKey: string,
  headers: Record<string, unknown>,
): BuiltMessage {
  const p = message.properties;
  return {
    exchange,
    routingKey,
    content: message.content,
    properties: {
      messageId: String(p.messageId ?? ''),
      headers,
      persistent: p.deliveryMode !== 1,
      mandatory: true,
      ...(p.contentType !== undefined && { contentType: p.contentType }),
      ...(p.contentEncoding !== undefined && { contentEncoding: p.contentEncoding }),
      ...(p.correlationId !== undefined && { correlationId: p.correlationId }),
      ...(p.type !== undefined && { type: p.type }),
      ...(p.timestamp !== undefined && { timestamp: p.timestamp }),
      ...(p.priority !== undefined && { priority: p.priority }),
      ...(p.appId !== undefined && { appId: p.appId }),
    },
  };
}

/** The delivery's headers without broker death records and delay routing. */
export function cleanHeaders(message: Message): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...(message.properties.headers ?? {}) };
  for (const name of BROKER_DEATH_HEADERS) delete headers[name];
  for (const name of Object.keys(headers)) {
    if (name.startsWith(LEVEL_HEADER_PREFIX)) delete headers[name];
  }
  delete headers[Headers.delayTargetExchange];
  delete headers[Headers.delayTargetQueue];
  delete headers[Headers.delayMs];
  delete headers[Headers.delayDueAt];
  return headers;
}

/**
 * Never throws, whatever was thrown: a failure here would leave the delivery
 * unsettled, holding a prefetch slot until the channel closes.
 */
export function errorMessage(error: unknown): string {
  return text(error instanceof Error ? error.message : error).slice(0, 4000);
}

export function errorName(error: unknown): string {
  return error instanceof Error ? text(error.name) : typeof error;
}

/** `String(value)`, or its tag when it has no string form (`Object.create(null)`). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Ack/nack on a channel that may have closed meanwhile (the broker then redelivers). */
function safely(settle: () => void): boolean {
  try {
    settle();
    return true;
  } catch (error) {
    new Logger('Surety.Consumer').warn(
      `cannot settle message, channel closed: ${errorText(error)}`,
    );
    return false;
  }
}
