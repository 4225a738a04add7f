import { randomBytes } from 'node:crypto';
import {
  AmqpError,
  ReplyCode,
  decodeContentHeader,
  numericValue,
  type AmqpMethod,
  type BasicPublishArgs,
} from '../protocol';
import { BASIC_CLASS_ID, Message } from '../model/message';
import type { Queue } from '../model/queue';
import type { QueueEntry } from '../model/queue-entry';
import { PUBLISH_PERSISTED, PUBLISH_REJECTED, PUBLISH_ROUTED } from '../model/vhost';
import type { ReplyReceiver } from './broker';
import { ChannelConsumer, Unacked, type ConsumerChannel } from './channel-consumer';
import type { ChannelHost } from './channel-host';
import { ConfirmTracker } from './confirm-tracker';
import type { SyncWaiter } from './group-commit';
import { checkPermission } from './permissions';
import { REPLY_TO_QUEUE, isReplyToKey, newReplyToken } from './direct-reply-to';

/** RabbitMQ's default max_message_size (128 MiB). */
export const MAX_MESSAGE_SIZE = 128 * 1024 * 1024;

const enum State {
  Open,
  /** We sent channel.close and discard everything until close-ok. */
  Closing,
  Closed,
}

const enum Content {
  None,
  Header,
  Body,
}

type TxAction = { kind: 'ack' | 'reject'; records: Unacked[]; requeue: boolean };

/**
 * One AMQP channel: the method handlers, content assembly for basic.publish,
 * deliveries with their tags, acknowledgements, qos, confirms and transactions.
 * Handlers throw AmqpError; the connection turns soft codes into channel.close
 * (see closeWithError) and hard codes into connection.close.
 */
export class Channel implements ConsumerChannel, SyncWaiter, ReplyReceiver {
  private state = State.Open;
  private content = Content.None;
  private publishArgs: BasicPublishArgs | undefined;
  private header: Buffer | undefined;
  private body: Buffer | undefined;
  private bodyFill = 0;

  private deliveryTag = 0;
  private readonly unacked = new Map<number, Unacked>();
  private readonly consumers = new Map<string, ChannelConsumer>();
  private consumerPrefetch = 0;
  private channelPrefetch = 0;

  private confirms: ConfirmTracker | undefined;
  private tx:
    | { publishes: { exchange: string; message: Message; mandatory: boolean }[]; acks: TxAction[] }
    | undefined;
  private lastQueue: string | undefined;
  private replyToken: string | undefined;
  private replyConsumerTag: string | undefined;
  private readonly permitted = new Set<string>();
  /** Sync tickets whose tx.commit-ok is still owed (persistent messages in the transaction). */
  private readonly commitOkAfter: number[] = [];

  constructor(
    private readonly host: ChannelHost,
    readonly id: number,
  ) {}

  get isOpen(): boolean {
    return this.state === State.Open;
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  get confirmMode(): boolean {
    return this.confirms !== undefined;
  }

  get prefetch(): number {
    return this.channelPrefetch || this.consumerPrefetch;
  }

  // ------------------------------------------------------------------ frames

  handleMethod(method: AmqpMethod): void {
    if (this.state === State.Closing) {
      if (method.name === 'channel.close-ok') this.finishClose();
      else if (method.name === 'channel.close') {
        this.host.out.method(this.id, 'channel.close-ok', {});
        this.finishClose();
      }
      return;
    }
    if (this.content !== Content.None) {
      // RabbitMQ attributes it to the basic.publish whose content is incomplete
      throw new AmqpError(
        ReplyCode.UnexpectedFrame,
        this.content === Content.Header
          ? 'expected content header for class 60, got non content header frame instead'
          : 'expected content body, got non content body frame instead',
        60,
        40,
      );
    }
    this.dispatch(method);
  }

  handleHeader(payload: Buffer): void {
    if (this.state === State.Closing) return;
    if (this.content !== Content.Header) throw this.unexpectedContentFrame();
    const header = decodeContentHeader(payload);
    if (header.classId !== BASIC_CLASS_ID) {
      throw new AmqpError(
        ReplyCode.UnexpectedFrame,
        `content header for class ${header.classId}, expected 60`,
      );
    }
    if (header.bodySize > MAX_MESSAGE_SIZE) {
      // checked before allocating: a hostile size must not reserve memory
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `message size ${header.bodySize} is larger than configured max size ${MAX_MESSAGE_SIZE}`,
        60,
        40,
      );
    }
    this.header = Buffer.from(payload);
    if (header.bodySize === 0) {
      this.body = Buffer.alloc(0);
      this.completePublish();
    } else {
      this.body = Buffer.allocUnsafe(header.bodySize);
      this.bodyFill = 0;
      this.content = Content.Body;
    }
  }

  handleBody(payload: Buffer): void {
    if (this.state === State.Closing) return;
    if (this.content !== Content.Body) throw this.unexpectedContentFrame();
    const body = this.body!;
    if (this.bodyFill + payload.length > body.length) {
      throw new AmqpError(
        ReplyCode.UnexpectedFrame,
        'content body larger than the size its header declared',
      );
    }
    this.bodyFill += payload.copy(body, this.bodyFill);
    if (this.bodyFill === body.length) this.completePublish();
  }

  // ------------------------------------------------------------------ errors

  private unexpectedContentFrame(): AmqpError {
    if (this.content === Content.None) {
      return new AmqpError(
        ReplyCode.UnexpectedFrame,
        'expected method frame, got non method frame instead',
      );
    }
    return new AmqpError(
      ReplyCode.UnexpectedFrame,
      this.content === Content.Header
        ? 'expected content header for class 60, got non content header frame instead'
        : 'expected content body, got non content body frame instead',
      60,
      40,
    );
  }

  /** A soft error: channel.close with the offending method, then discard until close-ok. */
  closeWithError(error: AmqpError): void {
    if (this.state !== State.Open) return;
    this.host.out.method(this.id, 'channel.close', {
      replyCode: error.code,
      replyText: error.replyText,
      classId: error.classId,
      methodId: error.methodId,
    });
    this.state = State.Closing;
    this.release();
  }

  /** The connection is going away: requeue and unsubscribe without sending anything. */
  abandon(): void {
    if (this.state === State.Closed) return;
    this.release();
    this.state = State.Closed;
  }

  // ----------------------------------------------------- consumer callbacks

  canDeliver(): boolean {
    return (
      this.state === State.Open &&
      (this.channelPrefetch === 0 || this.unacked.size < this.channelPrefetch) &&
      this.host.out.writable
    );
  }

  deliver(consumer: ChannelConsumer, _queue: Queue, entry: QueueEntry): void {
    const tag = ++this.deliveryTag;
    if (!consumer.noAck) {
      this.unacked.set(tag, new Unacked(tag, consumer.queue, entry, consumer));
      consumer.unacked++;
    }
    const m = entry.message;
    this.host.out.content(
      this.id,
      'basic.deliver',
      {
        consumerTag: consumer.tag,
        deliveryTag: tag,
        redelivered: entry.redelivered,
        exchange: m.exchange,
        routingKey: m.routingKey,
      },
      m.header,
      m.body,
      this.host.frameMax,
    );
    this.host.broker.counters.delivered++;
  }

  cancelledByServer(consumer: ChannelConsumer): void {
    if (this.consumers.get(consumer.tag) !== consumer) return;
    this.consumers.delete(consumer.tag);
    if (this.state === State.Open && this.host.cancelNotify) {
      this.host.out.method(this.id, 'basic.cancel', { consumerTag: consumer.tag, nowait: true });
    }
  }

  /** Socket drained or credit freed: let our consumers' queues deliver again. */
  resumeDeliveries(): void {
    for (const consumer of this.consumers.values()) consumer.queue.scheduleDelivery();
  }

  // --------------------------------------------------------------- confirms

  onSynced(completed: number, failed: boolean): void {
    const confirms = this.confirms;
    if (confirms !== undefined) {
      confirms.release(completed, failed);
      if (!confirms.waiting) this.host.broker.commit.unwait(this);
      this.host.out.requestFlush(); // the flush carries the coalesced acks
      return;
    }
    while (this.commitOkAfter.length > 0 && this.commitOkAfter[0]! <= completed) {
      this.commitOkAfter.shift();
      if (this.state === State.Open) this.host.out.method(this.id, 'tx.commit-ok', {});
    }
    if (this.commitOkAfter.length === 0) this.host.broker.commit.unwait(this);
  }

  /** Called by the connection right before it writes: emit coalesced acks. */
  flushConfirms(): void {
    this.confirms?.flushAcks();
  }

  // ---------------------------------------------------------- direct reply-to

  deliverReply(message: Message): boolean {
    if (this.state !== State.Open || this.replyConsumerTag === undefined) return false;
    const tag = ++this.deliveryTag;
    this.host.out.content(
      this.id,
      'basic.deliver',
      {
        consumerTag: this.replyConsumerTag,
        deliveryTag: tag,
        redelivered: false,
        exchange: message.exchange,
        routingKey: message.routingKey,
      },
      message.header,
      message.body,
      this.host.frameMax,
    );
    return true;
  }

  // ---------------------------------------------------------------- dispatch

  private dispatch(method: AmqpMethod): void {
    const host = this.host;
    const vhost = host.vhost;
    const out = host.out;
    const id = this.id;
    switch (method.name) {
      case 'basic.publish': {
        const args = method.args;
        if (args.immediate) {
          throw new AmqpError(
            ReplyCode.NotImplemented,
            'immediate=true',
            method.classId,
            method.methodId,
          );
        }
        this.publishArgs = args;
        this.content = Content.Header;
        host.notePublish();
        return;
      }
      case 'basic.ack':
        this.acknowledge('ack', method.args.deliveryTag, method.args.multiple, false);
        return;
      case 'basic.nack':
        this.acknowledge(
          'reject',
          method.args.deliveryTag,
          method.args.multiple,
          method.args.requeue,
        );
        return;
      case 'basic.reject':
        this.acknowledge('reject', method.args.deliveryTag, false, method.args.requeue);
        return;
      case 'basic.consume':
        this.consume(method.args);
        return;
      case 'basic.cancel': {
        const consumer = this.consumers.get(method.args.consumerTag);
        if (consumer !== undefined) {
          this.consumers.delete(consumer.tag);
          consumer.queue.removeConsumer(consumer);
        } else if (method.args.consumerTag === this.replyConsumerTag) {
          this.stopReplyConsumer();
        }
        if (!method.args.nowait)
          out.method(id, 'basic.cancel-ok', { consumerTag: method.args.consumerTag });
        return;
      }
      case 'basic.get': {
        const queue = vhost.queue(this.queueName(method.args.queue), host.owner);
        this.permit('read', 'queue', queue.name);
        const entry = queue.get(method.args.noAck);
        if (entry === undefined) {
          out.method(id, 'basic.get-empty', { clusterId: '' });
          return;
        }
        const tag = ++this.deliveryTag;
        if (!method.args.noAck) this.unacked.set(tag, new Unacked(tag, queue, entry, undefined));
        const m = entry.message;
        out.content(
          id,
          'basic.get-ok',
          {
            deliveryTag: tag,
            redelivered: entry.redelivered,
            exchange: m.exchange,
            routingKey: m.routingKey,
            messageCount: queue.messageCount,
          },
          m.header,
          m.body,
          host.frameMax,
        );
        host.broker.counters.delivered++;
        return;
      }
      case 'basic.qos': {
        const { prefetchSize, prefetchCount, global } = method.args;
        if (prefetchSize !== 0) {
          throw new AmqpError(
            ReplyCode.NotImplemented,
            `prefetch_size!=0 (${prefetchSize})`,
            method.classId,
            method.methodId,
          );
        }
        if (global) this.channelPrefetch = prefetchCount;
        else this.consumerPrefetch = prefetchCount;
        out.method(id, 'basic.qos-ok', {});
        this.resumeDeliveries();
        return;
      }
      case 'basic.recover':
      case 'basic.recover-async': {
        if (!method.args.requeue) {
          throw new AmqpError(
            ReplyCode.NotImplemented,
            'requeue=false',
            method.classId,
            method.methodId,
          );
        }
        this.requeueAll();
        if (method.name === 'basic.recover') out.method(id, 'basic.recover-ok', {});
        return;
      }
      case 'queue.declare': {
        const a = method.args;
        if (a.queue === REPLY_TO_QUEUE) {
          out.method(id, 'queue.declare-ok', {
            queue: REPLY_TO_QUEUE,
            messageCount: 0,
            consumerCount: 0,
          });
          return;
        }
        if (!a.passive && a.queue !== '') this.permit('configure', 'queue', a.queue);
        const queue = vhost.declareQueue(
          {
            name: a.queue,
            passive: a.passive,
            durable: a.durable,
            exclusive: a.exclusive,
            autoDelete: a.autoDelete,
            args: a.arguments,
          },
          host.owner,
        );
        this.lastQueue = queue.name;
        if (!a.nowait) {
          out.method(id, 'queue.declare-ok', {
            queue: queue.name,
            messageCount: queue.messageCount,
            consumerCount: queue.consumerCount,
          });
        }
        return;
      }
      case 'queue.bind': {
        const a = method.args;
        const queue = this.queueName(a.queue);
        const routingKey = a.queue === '' && a.routingKey === '' ? queue : a.routingKey;
        this.permit('write', 'queue', queue);
        this.permit('read', 'exchange', a.exchange);
        vhost.bindQueue(queue, a.exchange, routingKey, a.arguments, host.owner);
        if (!a.nowait) out.method(id, 'queue.bind-ok', {});
        return;
      }
      case 'queue.unbind': {
        const a = method.args;
        const queue = this.queueName(a.queue);
        this.permit('write', 'queue', queue);
        this.permit('read', 'exchange', a.exchange);
        vhost.unbindQueue(queue, a.exchange, a.routingKey, a.arguments, host.owner);
        out.method(id, 'queue.unbind-ok', {});
        return;
      }
      case 'queue.purge': {
        const queue = this.queueName(method.args.queue);
        this.permit('read', 'queue', queue);
        const count = vhost.purgeQueue(queue, host.owner);
        if (!method.args.nowait) out.method(id, 'queue.purge-ok', { messageCount: count });
        return;
      }
      case 'queue.delete': {
        const a = method.args;
        const queue = this.queueName(a.queue);
        this.permit('configure', 'queue', queue);
        const count = vhost.deleteQueue(queue, a.ifUnused, a.ifEmpty, host.owner);
        if (!a.nowait) out.method(id, 'queue.delete-ok', { messageCount: count });
        return;
      }
      case 'exchange.declare': {
        const a = method.args;
        if (!a.passive) this.permit('configure', 'exchange', a.exchange);
        vhost.declareExchange({
          name: a.exchange,
          type: a.type,
          passive: a.passive,
          durable: a.durable,
          autoDelete: a.autoDelete,
          internal: a.internal,
          args: a.arguments,
        });
        if (!a.nowait) out.method(id, 'exchange.declare-ok', {});
        return;
      }
      case 'exchange.delete': {
        const a = method.args;
        this.permit('configure', 'exchange', a.exchange);
        vhost.deleteExchange(a.exchange, a.ifUnused);
        if (!a.nowait) out.method(id, 'exchange.delete-ok', {});
        return;
      }
      case 'exchange.bind':
      case 'exchange.unbind': {
        const a = method.args;
        this.permit('write', 'exchange', a.destination);
        this.permit('read', 'exchange', a.source);
        if (method.name === 'exchange.bind') {
          vhost.bindExchange(a.destination, a.source, a.routingKey, a.arguments);
          if (!a.nowait) out.method(id, 'exchange.bind-ok', {});
        } else {
          vhost.unbindExchange(a.destination, a.source, a.routingKey, a.arguments);
          if (!a.nowait) out.method(id, 'exchange.unbind-ok', {});
        }
        return;
      }
      case 'confirm.select': {
        if (this.tx !== undefined) {
          throw new AmqpError(
            ReplyCode.PreconditionFailed,
            'cannot switch from tx to confirm mode',
            method.classId,
            method.methodId,
          );
        }
        this.confirms ??= new ConfirmTracker({
          ack: (tag, multiple) => {
            out.method(id, 'basic.ack', { deliveryTag: tag, multiple });
            host.broker.counters.confirmed++;
          },
          nack: (tag, multiple) =>
            out.method(id, 'basic.nack', { deliveryTag: tag, multiple, requeue: false }),
        });
        if (!method.args.nowait) out.method(id, 'confirm.select-ok', {});
        return;
      }
      case 'tx.select':
        if (this.confirms !== undefined) {
          throw new AmqpError(
            ReplyCode.PreconditionFailed,
            'cannot switch from confirm to tx mode',
            method.classId,
            method.methodId,
          );
        }
        this.tx ??= { publishes: [], acks: [] };
        out.method(id, 'tx.select-ok', {});
        return;
      case 'tx.commit': {
        const ticket = this.commit(method.classId, method.methodId);
        const commit = host.broker.commit;
        if (ticket <= commit.lastCompleted) out.method(id, 'tx.commit-ok', {});
        else {
          // persistent messages of the transaction are on disk before commit-ok
          this.commitOkAfter.push(ticket);
          commit.wait(this);
        }
        return;
      }
      case 'tx.rollback': {
        const tx = this.requireTx(method.classId, method.methodId);
        for (const action of tx.acks)
          for (const record of action.records) this.unacked.set(record.tag, record);
        this.sortUnacked();
        tx.publishes = [];
        tx.acks = [];
        out.method(id, 'tx.rollback-ok', {});
        return;
      }
      case 'channel.flow':
        if (!method.args.active) {
          throw new AmqpError(
            ReplyCode.NotImplemented,
            'active=false',
            method.classId,
            method.methodId,
          );
        }
        out.method(id, 'channel.flow-ok', { active: true });
        return;
      case 'channel.close':
        this.release();
        out.method(id, 'channel.close-ok', {});
        this.finishClose();
        return;
      case 'channel.close-ok':
        return;
      case 'channel.open':
        throw new AmqpError(
          ReplyCode.ChannelError,
          "second 'channel.open' seen",
          method.classId,
          method.methodId,
        );
      case 'access.request':
        out.method(id, 'access.request-ok', { ticket: 1 });
        return;
      default:
        // server-only methods (declare-ok, deliver, ...) sent by a client
        throw new AmqpError(
          ReplyCode.CommandInvalid,
          'unimplemented method',
          method.classId,
          method.methodId,
        );
    }
  }

  // ------------------------------------------------------------- publishing

  private completePublish(): void {
    const args = this.publishArgs!;
    const header = this.header!;
    const body = this.body!;
    this.content = Content.None;
    this.publishArgs = undefined;
    this.header = undefined;
    this.body = undefined;
    try {
      this.publishComplete(args, Message.published(args.exchange, args.routingKey, header, body));
    } catch (error) {
      if (error instanceof AmqpError && error.classId === 0) throw error.withMethod(60, 40);
      throw error;
    }
  }

  private publishComplete(args: BasicPublishArgs, received: Message): void {
    let message = received;
    this.validateMessage(message);
    if (message.replyTo === REPLY_TO_QUEUE) message = this.stampReplyTo(message);
    if (this.tx !== undefined) {
      this.permit('write', 'exchange', args.exchange);
      this.host.vhost.exchange(args.exchange); // 404 now rather than at commit
      this.tx.publishes.push({ exchange: args.exchange, message, mandatory: args.mandatory });
      return;
    }
    const seq = this.confirms !== undefined ? this.confirms.take() : 0;
    const flags = this.route(args.exchange, message, args.mandatory);
    const confirms = this.confirms;
    if (confirms !== undefined) {
      const commit = this.host.broker.commit;
      const ticket = flags & PUBLISH_PERSISTED ? commit.ticket() : 0;
      confirms.record(seq, ticket, (flags & PUBLISH_REJECTED) !== 0, commit.lastCompleted);
      if (confirms.waiting) commit.wait(this);
      else this.host.out.requestFlush();
    }
  }

  /** Routes one message (also used by tx.commit); sends basic.return when mandatory and unroutable. */
  private route(exchange: string, message: Message, mandatory: boolean): number {
    this.permit('write', 'exchange', exchange);
    const broker = this.host.broker;
    broker.counters.published++;
    let flags: number;
    if (exchange === '' && isReplyToKey(message.routingKey)) {
      const receiver = broker.replyReceivers.get(message.routingKey);
      flags = receiver !== undefined && receiver.deliverReply(message) ? PUBLISH_ROUTED : 0;
    } else {
      flags = this.host.vhost.publish(exchange, message);
    }
    if (!(flags & PUBLISH_ROUTED) && mandatory) {
      broker.counters.returned++;
      this.host.out.content(
        this.id,
        'basic.return',
        {
          replyCode: ReplyCode.NoRoute,
          replyText: 'NO_ROUTE',
          exchange,
          routingKey: message.routingKey,
        },
        message.header,
        message.body,
        this.host.frameMax,
      );
    }
    return flags;
  }

  private validateMessage(message: Message): void {
    const expiration = message.expiration;
    if (expiration !== undefined && !/^\d+$/.test(expiration)) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `invalid expiration '${expiration}': ${expirationProblem(expiration)}`,
        60,
        40,
      );
    }
    if (message.userId !== undefined && message.userId !== this.host.user) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `user_id property set to '${message.userId}' but authenticated user was '${this.host.user}'`,
        60,
        40,
      );
    }
  }

  private stampReplyTo(message: Message): Message {
    if (this.replyToken === undefined) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        'fast reply consumer does not exist',
        60,
        40,
      );
    }
    const props = message.properties;
    return message.withProperties(message.exchange, message.routingKey, {
      ...props,
      replyTo: this.replyToken,
    });
  }

  // -------------------------------------------------------------- consuming

  private consume(a: Extract<AmqpMethod, { name: 'basic.consume' }>['args']): void {
    const host = this.host;
    const tag =
      a.consumerTag === '' ? `amq.ctag-${randomBytes(16).toString('base64url')}` : a.consumerTag;
    if (this.consumers.has(tag) || tag === this.replyConsumerTag) {
      throw new AmqpError(ReplyCode.NotAllowed, `attempt to reuse consumer tag '${tag}'`, 60, 20);
    }
    if (a.queue === REPLY_TO_QUEUE) {
      if (!a.noAck)
        throw new AmqpError(
          ReplyCode.PreconditionFailed,
          'reply consumer cannot acknowledge',
          60,
          20,
        );
      if (this.replyConsumerTag !== undefined) {
        throw new AmqpError(ReplyCode.PreconditionFailed, 'reply consumer already set', 60, 20);
      }
      this.replyConsumerTag = tag;
      this.replyToken = newReplyToken();
      host.broker.replyReceivers.set(this.replyToken, this);
      if (!a.nowait) host.out.method(this.id, 'basic.consume-ok', { consumerTag: tag });
      return;
    }
    const queue = host.vhost.queue(this.queueName(a.queue), host.owner);
    this.permit('read', 'queue', queue.name);
    const existing = queue.consumers.all();
    if ((a.exclusive && existing.length > 0) || existing.some((c) => c.exclusive)) {
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `queue '${queue.name}' in vhost '${queue.vhost}' in exclusive use`,
        60,
        20,
      );
    }
    const priorityArg = a.arguments['x-priority'];
    const priority = priorityArg === undefined ? 0 : Number(numericValue(priorityArg) ?? 0);
    const consumer = new ChannelConsumer(
      this,
      queue,
      tag,
      a.noAck,
      a.exclusive,
      priority,
      this.consumerPrefetch,
    );
    this.consumers.set(tag, consumer);
    if (!a.nowait) host.out.method(this.id, 'basic.consume-ok', { consumerTag: tag });
    queue.addConsumer(consumer);
  }

  private stopReplyConsumer(): void {
    if (this.replyToken !== undefined) this.host.broker.replyReceivers.delete(this.replyToken);
    this.replyToken = undefined;
    this.replyConsumerTag = undefined;
  }

  // ---------------------------------------------------------------- acking

  private acknowledge(
    kind: 'ack' | 'reject',
    tag: number,
    multiple: boolean,
    requeue: boolean,
  ): void {
    let records: Unacked[];
    if (multiple) {
      if (tag !== 0 && !this.unacked.has(tag)) throw unknownTag(tag);
      records = [];
      for (const [t, record] of this.unacked) {
        if (tag !== 0 && t > tag) break;
        records.push(record);
      }
      for (const record of records) this.unacked.delete(record.tag);
    } else {
      const record = this.unacked.get(tag);
      if (record === undefined) throw unknownTag(tag);
      this.unacked.delete(tag);
      records = [record];
    }
    if (this.tx !== undefined) {
      this.tx.acks.push({ kind, records, requeue });
      return;
    }
    this.settle(kind, records, requeue);
  }

  private settle(kind: 'ack' | 'reject', records: Unacked[], requeue: boolean): void {
    const counters = this.host.broker.counters;
    if (kind === 'reject' && requeue) {
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i]!;
        if (r.consumer) r.consumer.unacked--;
        r.queue.requeue(r.entry);
      }
    } else {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (r.consumer) r.consumer.unacked--;
        if (kind === 'ack') {
          r.queue.ack(r.entry);
          counters.acked++;
        } else {
          r.queue.reject(r.entry);
        }
      }
    }
    this.resumeDeliveries();
  }

  private requeueAll(): void {
    const records = [...this.unacked.values()];
    this.unacked.clear();
    this.settle('reject', records, true);
  }

  private sortUnacked(): void {
    const records = [...this.unacked.values()].sort((a, b) => a.tag - b.tag);
    this.unacked.clear();
    for (const record of records) this.unacked.set(record.tag, record);
  }

  // ------------------------------------------------------------------ tx

  private requireTx(classId: number, methodId: number) {
    if (this.tx === undefined) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        'channel is not transactional',
        classId,
        methodId,
      );
    }
    return this.tx;
  }

  /** Applies the transaction; returns the sync ticket its persistent messages need (0 = none). */
  private commit(classId: number, methodId: number): number {
    const tx = this.requireTx(classId, methodId);
    const { publishes, acks } = tx;
    tx.publishes = [];
    tx.acks = [];
    let persisted = false;
    for (const p of publishes) {
      if (this.route(p.exchange, p.message, p.mandatory) & PUBLISH_PERSISTED) persisted = true;
    }
    for (const action of acks) this.settle(action.kind, action.records, action.requeue);
    return persisted ? this.host.broker.commit.ticket() : 0;
  }

  // --------------------------------------------------------------- helpers

  private queueName(name: string): string {
    if (name !== '') return name;
    if (this.lastQueue === undefined)
      throw new AmqpError(ReplyCode.NotFound, 'no previously declared queue');
    return this.lastQueue;
  }

  private permit(
    kind: 'configure' | 'write' | 'read',
    resource: 'queue' | 'exchange',
    name: string,
  ): void {
    const key = `${kind}\u0000${resource}\u0000${name}`;
    if (this.permitted.has(key)) return;
    checkPermission(this.host, kind, resource, name);
    this.permitted.add(key);
  }

  /** Requeues unacknowledged deliveries, removes consumers, stops waiting for syncs. */
  private release(): void {
    this.requeueAll();
    for (const consumer of this.consumers.values()) consumer.queue.removeConsumer(consumer);
    this.consumers.clear();
    this.stopReplyConsumer();
    this.host.broker.commit.unwait(this);
    this.tx = undefined;
  }

  private finishClose(): void {
    this.state = State.Closed;
    this.host.channelClosed(this.id);
  }
}

/** RabbitMQ's reason for an unusable expiration (string:to_integer semantics). */
function expirationProblem(expiration: string): string {
  const match = /^([+-]?\d+)(.*)$/s.exec(expiration);
  if (match === null) return 'no_integer';
  if (match[2] !== '') return `{leftover_chars,"${match[2]}"}`;
  return `{value_negative,${Number(match[1])}}`;
}

function unknownTag(tag: number): AmqpError {
  // the connection attributes it to the ack/nack/reject being handled
  return new AmqpError(ReplyCode.PreconditionFailed, `unknown delivery tag ${tag}`);
}
