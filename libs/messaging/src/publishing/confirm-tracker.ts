import type { ConfirmChannel, Message } from 'amqplib';
import {
  ConnectionLostError,
  PublishNackedError,
  PublishTimeoutError,
  UnroutableMessageError,
  type PublishTarget,
} from '../errors';
import type { PublishResult } from '../interfaces/publish-options.interface';

/** One message sent on a confirm channel and not yet confirmed. */
export interface PendingConfirm {
  readonly target: PublishTarget;
  readonly deadline: number;
  readonly timeoutMs: number;
  returned?: { code: number; text: string };
  settled: boolean;
  readonly settle: (result: PublishResult) => void;
}

/**
 * Bookkeeping for one confirm channel: which messages await a confirm, which
 * were returned. RabbitMQ (and the embedded broker) send basic.return BEFORE
 * the confirm of the same message, so a return marks the oldest unreturned
 * pending entry with that messageId and its ack then settles as 'returned'.
 */
export class ConfirmTracker {
  // One entry per id, an array only when the same messageId is in flight twice (a republish).
  private readonly byMessageId = new Map<string, PendingConfirm | PendingConfirm[]>();
  private readonly all = new Set<PendingConfirm>();

  constructor(readonly channel: ConfirmChannel) {
    channel.on('return', (message: Message) => this.onReturn(message));
  }

  get size(): number {
    return this.all.size;
  }

  /** Publishes and tracks; throws synchronously when the channel is already closed. */
  send(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Parameters<ConfirmChannel['publish']>[3] & { messageId: string },
    pending: PendingConfirm,
  ): void {
    this.channel.publish(exchange, routingKey, content, properties, (error: unknown) =>
      this.onConfirm(pending, error),
    );
    this.all.add(pending);
    const id = pending.target.messageId;
    const existing = this.byMessageId.get(id);
    if (existing === undefined) this.byMessageId.set(id, pending);
    else if (Array.isArray(existing)) existing.push(pending);
    else this.byMessageId.set(id, [existing, pending]);
  }

  /** Settles every entry whose deadline passed (called by a periodic sweep, not a timer per message). */
  expire(now: number): void {
    for (const pending of this.all) {
      if (pending.deadline <= now) {
        this.finish(pending, {
          messageId: pending.target.messageId,
          status: 'failed',
          error: new PublishTimeoutError(pending.target, pending.timeoutMs, 'confirm'),
        });
      }
    }
  }

  /** The channel is gone: nothing pending will be confirmed any more. */
  failAll(reason: string): void {
    for (const pending of this.all) {
      this.finish(pending, {
        messageId: pending.target.messageId,
        status: 'failed',
        error: new ConnectionLostError(pending.target, reason),
      });
    }
  }

  private onReturn(message: Message): void {
    const messageId = message.properties.messageId as string | undefined;
    const entry = messageId === undefined ? undefined : this.byMessageId.get(messageId);
    const pending = Array.isArray(entry) ? entry.find((e) => !e.returned) : entry;
    if (!pending) return;
    const fields = message.fields as unknown as { replyCode?: number; replyText?: string };
    pending.returned = { code: fields.replyCode ?? 312, text: fields.replyText ?? 'NO_ROUTE' };
  }

  private onConfirm(pending: PendingConfirm, error: unknown): void {
    const messageId = pending.target.messageId;
    if (error == null) {
      this.finish(
        pending,
        pending.returned
          ? {
              messageId,
              status: 'returned',
              error: new UnroutableMessageError(
                pending.target,
                pending.returned.code,
                pending.returned.text,
              ),
            }
          : { messageId, status: 'confirmed' },
      );
    } else if (error instanceof Error && error.message === 'message nacked') {
      this.finish(pending, {
        messageId,
        status: 'nacked',
        error: new PublishNackedError(pending.target),
      });
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      this.finish(pending, {
        messageId,
        status: 'failed',
        error: new ConnectionLostError(pending.target, reason),
      });
    }
  }

  private finish(pending: PendingConfirm, result: PublishResult): void {
    this.all.delete(pending);
    const id = pending.target.messageId;
    const entry = this.byMessageId.get(id);
    if (entry === pending) this.byMessageId.delete(id);
    else if (Array.isArray(entry)) {
      const index = entry.indexOf(pending);
      if (index >= 0) entry.splice(index, 1);
      if (entry.length === 0) this.byMessageId.delete(id);
    }
    if (pending.settled) return;
    pending.settled = true;
    pending.settle(result);
  }
}
