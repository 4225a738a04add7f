import type { ConfirmChannel, Message } from 'amqplib';
import { InvalidMessageError } from '../errors';
import { AmqplibFrameWriter } from './amqplib-frame-writer';
import type { BuiltProperties } from './message-builder';
import type { PendingPublish } from './pending-publish';
import { PublishFrameEncoder } from './publish-frame-encoder';

/** Compact the in-order list once this many settled entries sit at its front. */
const COMPACT_AT = 1024;

/**
 * Bookkeeping for one confirm channel. The broker numbers publishes on a
 * confirm channel 1, 2, 3, ... and acks by that number (one tag, or every tag
 * up to it with `multiple`), so pending messages live in an array in publish
 * order, indexed by sequence number: no per-message callback, map entry or
 * timer. Confirms are read from the channel's 'ack'/'nack' events.
 *
 * Returns: RabbitMQ (and the embedded broker) send basic.return BEFORE the
 * confirm of the same message, so a return marks the oldest unconfirmed,
 * unreturned entry with that messageId, exchange and routing key, and its ack
 * then settles it as returned. The messageId alone is not enough: a consumer's
 * retry and dead-letter copies keep the id of the message they copy, which the
 * same publisher may still wait on (a persistent message's confirm can come
 * after its delivery), and the return of a copy must not fail the original —
 * nor leave the copy "confirmed", its message acked and lost. Returns are rare
 * (a topology mistake), so finding the entry is a scan.
 */
export class ConfirmTracker {
  // slots[i] is sequence number firstSeq + i; undefined once settled.
  private slots: (PendingPublish | undefined)[] = [];
  private firstSeq = 1;
  // Index of the oldest slot that may still be pending.
  private head = 0;
  private nextSeq = 1;
  private pending = 0;
  // Surety's own frame encoding, when amqplib's channel offers what it needs.
  private readonly writer: AmqplibFrameWriter | undefined;
  private readonly encoder: PublishFrameEncoder | undefined;

  constructor(readonly channel: ConfirmChannel) {
    this.writer = AmqplibFrameWriter.attach(channel);
    this.encoder =
      this.writer && new PublishFrameEncoder(this.writer.channelNumber, this.writer.frameMax);
    channel.on('ack', (fields: { deliveryTag: number; multiple: boolean }) =>
      this.onConfirm(fields.deliveryTag, fields.multiple, false),
    );
    channel.on('nack', (fields: { deliveryTag: number; multiple: boolean }) =>
      this.onConfirm(fields.deliveryTag, fields.multiple, true),
    );
    channel.on('return', (message: Message) => this.onReturn(message));
  }

  get size(): number {
    return this.pending;
  }

  /**
   * Publishes and tracks. Throws synchronously, having sent nothing, when the
   * channel is already closed, or InvalidMessageError when a property cannot be
   * encoded (amqplib's verdict).
   */
  send(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: BuiltProperties,
    entry: PendingPublish,
  ): void {
    const frames = this.encoder?.encode(exchange, routingKey, content, properties);
    if (frames !== undefined) {
      this.writer!.write(frames);
    } else {
      try {
        // No callback: amqplib numbers the publish all the same, and we read the 'ack' events.
        this.channel.publish(exchange, routingKey, content, properties);
      } catch (error) {
        // amqplib validates while encoding, before it writes or counts anything.
        if (error instanceof TypeError || error instanceof RangeError) {
          throw new InvalidMessageError(properties.messageId, error.message);
        }
        throw error;
      }
    }
    entry.sentExchange = exchange;
    entry.sentRoutingKey = routingKey;
    this.slots.push(entry);
    this.nextSeq++;
    this.pending++;
  }

  /** Settles every entry whose deadline passed (called by a periodic sweep, not a timer per message). */
  expire(now: number): void {
    const slots = this.slots;
    for (let i = this.head; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== undefined && entry.deadline <= now) {
        slots[i] = undefined;
        this.pending--;
        entry.timedOut();
      }
    }
    this.advance();
  }

  /** The channel is gone: nothing pending will be confirmed any more. */
  failAll(reason: string): void {
    const slots = this.slots;
    this.slots = [];
    this.firstSeq = this.nextSeq;
    this.head = 0;
    this.pending = 0;
    for (const entry of slots) entry?.lost(reason);
  }

  private onConfirm(tag: number, multiple: boolean, nack: boolean): void {
    const index = tag - this.firstSeq;
    const slots = this.slots;
    if (index < 0 || index >= slots.length) return; // already settled (timed out) or unknown
    if (multiple) {
      for (let i = this.head; i <= index; i++) this.settle(i, nack);
    } else {
      this.settle(index, nack);
    }
    this.advance();
  }

  private settle(index: number, nack: boolean): void {
    const entry = this.slots[index];
    if (entry === undefined) return;
    this.slots[index] = undefined;
    this.pending--;
    if (nack) entry.nacked();
    else entry.confirmed();
  }

  /** Moves `head` past settled slots and now and then drops them from the array. */
  private advance(): void {
    const slots = this.slots;
    let head = this.head;
    while (head < slots.length && slots[head] === undefined) head++;
    if (head === slots.length) {
      // All settled (the usual state between bursts): start over cheaply.
      this.firstSeq += head;
      slots.length = 0;
      head = 0;
    } else if (head >= COMPACT_AT) {
      slots.splice(0, head);
      this.firstSeq += head;
      head = 0;
    }
    this.head = head;
  }

  private onReturn(message: Message): void {
    const messageId = message.properties.messageId as string | undefined;
    if (messageId === undefined) return;
    const fields = message.fields as unknown as {
      exchange?: string;
      routingKey?: string;
      replyCode?: number;
      replyText?: string;
    };
    const entry =
      this.oldestUnreturned(
        (e) =>
          e.messageId === messageId &&
          e.sentExchange === fields.exchange &&
          e.sentRoutingKey === fields.routingKey,
      ) ?? this.oldestUnreturned((e) => e.messageId === messageId);
    if (entry) {
      entry.returned = { code: fields.replyCode ?? 312, text: fields.replyText ?? 'NO_ROUTE' };
    }
  }

  private oldestUnreturned(
    matches: (entry: PendingPublish) => boolean,
  ): PendingPublish | undefined {
    const slots = this.slots;
    for (let i = this.head; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== undefined && !entry.returned && matches(entry)) return entry;
    }
    return undefined;
  }
}
