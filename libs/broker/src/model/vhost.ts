import { randomBytes } from 'node:crypto';
import { AmqpError, ReplyCode, type FieldTable } from '../protocol';
import { Binding, bindingId, type Destination } from './binding';
import { deadLetterMessage, isDeathCycle, type DeathReason } from './dead-letter';
import { NO_DURABILITY, type Durability } from './durability';
import {
  EXCHANGE_EQUIVALENCE_KEYS,
  QUEUE_EQUIVALENCE_KEYS,
  assertArgsEquivalent,
  assertFlagEquivalent,
} from './equivalence';
import type { Exchange } from './exchange';
import { createExchange } from './exchange-factory';
import { DefaultExchange } from './exchanges/default';
import { DelayedMessageExchange, type DelayedEntry } from './exchanges/delayed-message';
import { MemoryBudget } from './memory-budget';
import { Message } from './message';
import { ENQUEUE_REJECTED, ENQUEUED_PERSISTED, Queue, type QueueHost } from './queue';
import { parseQueueSettings } from './queue-arguments';
import type { StoredRef } from './queue-entry';
import { headerRoutingKeys, routeMessage } from './router';
import { NO_TRANSIENT_PAGING, type TransientPaging } from './transient-paging';

/** Bits of a publish outcome. */
export const PUBLISH_ROUTED = 1;
/** A persistent copy was appended to the store: confirm only after the next sync. */
export const PUBLISH_PERSISTED = 2;
/** A queue refused it (x-overflow reject-publish*): the publisher gets a nack. */
export const PUBLISH_REJECTED = 4;

export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly args: FieldTable;
}

export interface QueueDeclaration {
  /** '' asks the server for a name (amq.gen-…). */
  readonly name: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly args: FieldTable;
}

/** The standard exchanges every vhost has (RabbitMQ's set). */
const STANDARD_EXCHANGES: [string, string, boolean][] = [
  ['amq.direct', 'direct', false],
  ['amq.fanout', 'fanout', false],
  ['amq.topic', 'topic', false],
  ['amq.headers', 'headers', false],
  ['amq.match', 'headers', false],
  ['amq.rabbitmq.trace', 'topic', true],
];

/**
 * A virtual host: its exchanges, queues and bindings, with the declare / delete /
 * bind rules RabbitMQ applies (403 on amq.* and the default exchange, 404 on
 * missing entities, 405 on other connections' exclusive queues, 406 on
 * inequivalent redeclares), and publishing through the router.
 */
export class Vhost implements QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  private readonly defaultExchange: DefaultExchange;
  /** Set while routing when a delayed exchange persisted the message it held. */
  private heldDurably = false;
  private readonly lookupExchange = (name: string): Exchange | undefined =>
    this.exchanges.get(name);

  constructor(
    readonly name: string,
    private durability: Durability = NO_DURABILITY,
    /** Shared by all vhosts of a broker; unlimited (never page) by default. */
    readonly memory: MemoryBudget = new MemoryBudget(),
    /** Where transient ready messages page out to over the budget (shared by all vhosts). */
    readonly transientPaging: TransientPaging = NO_TRANSIENT_PAGING,
  ) {
    this.defaultExchange = new DefaultExchange(
      {
        vhost: name,
        name: '',
        type: 'direct',
        durable: true,
        autoDelete: false,
        internal: false,
        args: {},
      },
      (queueName) => this.queues.get(queueName),
    );
    this.exchanges.set('', this.defaultExchange);
    for (const [exchangeName, type, internal] of STANDARD_EXCHANGES) {
      this.addExchange(
        createExchange({
          vhost: name,
          name: exchangeName,
          type,
          durable: true,
          autoDelete: false,
          internal,
          args: {},
        }),
      );
    }
  }

  /** Swaps the durability sink (the broker sets it after recovery has rebuilt the state). */
  setDurability(durability: Durability): void {
    this.durability = durability;
  }

  // ------------------------------------------------------------------ exchanges

  declareExchange(d: ExchangeDeclaration): Exchange {
    if (d.name === '') throw defaultExchangeRefused();
    const existing = this.exchanges.get(d.name);
    if (d.passive) {
      if (existing === undefined) throw notFound('exchange', d.name, this.name);
      return existing;
    }
    if (existing !== undefined) {
      const what = `exchange '${d.name}' in vhost '${this.name}'`;
      assertFlagEquivalent(what, 'type', d.type, existing.type);
      assertFlagEquivalent(what, 'durable', d.durable, existing.durable);
      assertFlagEquivalent(what, 'auto_delete', d.autoDelete, existing.autoDelete);
      assertFlagEquivalent(what, 'internal', d.internal, existing.internal);
      assertArgsEquivalent(what, EXCHANGE_EQUIVALENCE_KEYS, d.args, existing.args);
      return existing;
    }
    if (d.name.startsWith('amq.')) {
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `exchange name '${d.name}' contains reserved prefix 'amq.*'`,
      );
    }
    const exchange = createExchange({ vhost: this.name, ...d });
    this.addExchange(exchange);
    if (exchange.durable) this.durability.exchangeDeclared(exchange);
    return exchange;
  }

  /** exchange.delete: idempotent for missing exchanges, as RabbitMQ. */
  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw defaultExchangeRefused();
    if (name.startsWith('amq.')) {
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `deletion of system exchange '${name}' in vhost '${this.name}' not allowed`,
      );
    }
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) return;
    if (ifUnused && exchange.bindings.size > 0) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `exchange '${name}' in vhost '${this.name}' in use`,
      );
    }
    this.removeExchange(exchange);
  }

  exchange(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) throw notFound('exchange', name, this.name);
    return exchange;
  }

  // --------------------------------------------------------------------- queues

  declareQueue(d: QueueDeclaration, owner: object): Queue {
    const name = d.name === '' ? serverNamedQueue() : d.name;
    const existing = this.queues.get(name);
    if (d.passive) {
      if (existing === undefined) throw notFound('queue', name, this.name);
      this.checkExclusive(existing, owner);
      existing.touch();
      return existing;
    }
    if (existing !== undefined) {
      this.checkExclusive(existing, owner);
      const what = `queue '${name}' in vhost '${this.name}'`;
      assertFlagEquivalent(what, 'durable', d.durable, existing.durable);
      assertFlagEquivalent(what, 'auto_delete', d.autoDelete, existing.autoDelete);
      assertFlagEquivalent(what, 'exclusive', d.exclusive, existing.exclusiveOwner !== undefined);
      assertArgsEquivalent(what, QUEUE_EQUIVALENCE_KEYS, d.args, existing.args);
      existing.touch();
      return existing;
    }
    if (name.startsWith('amq.') && d.name !== '') {
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `queue name '${name}' contains reserved prefix 'amq.*'`,
      );
    }
    const settings = parseQueueSettings(d.args, d, `queue '${name}' in vhost '${this.name}'`);
    const queue = new Queue(
      {
        vhost: this.name,
        name,
        durable: d.durable,
        autoDelete: d.autoDelete,
        exclusiveOwner: d.exclusive ? owner : undefined,
        args: d.args,
        settings,
      },
      this,
    );
    this.queues.set(name, queue);
    if (queue.durable) this.durability.queueDeclared(queue);
    return queue;
  }

  /** The queue by name, checking exclusive ownership (404 / 405). */
  queue(name: string, owner: object): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined) throw notFound('queue', name, this.name);
    this.checkExclusive(queue, owner);
    return queue;
  }

  /** queue.delete: returns the ready count; missing queues are fine (RabbitMQ 3.x+). */
  deleteQueue(name: string, ifUnused: boolean, ifEmpty: boolean, owner: object): number {
    const queue = this.queues.get(name);
    if (queue === undefined) return 0;
    this.checkExclusive(queue, owner);
    if (ifUnused && queue.consumerCount > 0) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `queue '${name}' in vhost '${this.name}' in use`,
      );
    }
    if (ifEmpty && queue.messageCount > 0) {
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `queue '${name}' in vhost '${this.name}' not empty`,
      );
    }
    return this.removeQueue(queue);
  }

  purgeQueue(name: string, owner: object): number {
    const queue = this.queue(name, owner);
    return queue.purge();
  }

  /** Deletes the exclusive queues of a closing connection. */
  releaseOwner(owner: object): void {
    for (const queue of [...this.queues.values()]) {
      if (queue.exclusiveOwner === owner) this.removeQueue(queue);
    }
  }

  // ------------------------------------------------------------------- bindings

  bindQueue(
    queueName: string,
    exchangeName: string,
    routingKey: string,
    args: FieldTable,
    owner: object,
  ): void {
    const queue = this.queue(queueName, owner);
    const exchange = this.bindableExchange(exchangeName);
    this.addBinding(new Binding(exchange, queue, routingKey, args));
  }

  unbindQueue(
    queueName: string,
    exchangeName: string,
    routingKey: string,
    args: FieldTable,
    owner: object,
  ): void {
    const queue = this.queue(queueName, owner);
    const exchange = this.bindableExchange(exchangeName);
    this.removeBinding(exchange, bindingId(queue, routingKey, args));
  }

  bindExchange(
    destinationName: string,
    sourceName: string,
    routingKey: string,
    args: FieldTable,
  ): void {
    const destination = this.bindableExchange(destinationName);
    const source = this.bindableExchange(sourceName);
    this.addBinding(new Binding(source, destination, routingKey, args));
  }

  unbindExchange(
    destinationName: string,
    sourceName: string,
    routingKey: string,
    args: FieldTable,
  ): void {
    const destination = this.bindableExchange(destinationName);
    const source = this.bindableExchange(sourceName);
    this.removeBinding(source, bindingId(destination, routingKey, args));
  }

  /** Every binding, default-exchange ones first (management API). */
  bindings(): Binding[] {
    const all: Binding[] = [];
    for (const exchange of this.exchanges.values()) all.push(...exchange.bindings.values());
    return all;
  }

  // ----------------------------------------------------------------- publishing

  /**
   * Routes a message and enqueues it in every matched queue. Returns PUBLISH_* bits.
   * Throws 404 for a missing exchange and 403 for an internal one.
   */
  publish(exchangeName: string, message: Message): number {
    const exchange = this.exchanges.get(exchangeName);
    if (exchange === undefined) throw notFound('exchange', exchangeName, this.name);
    if (exchange.internal) {
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `cannot publish to internal exchange '${exchangeName}' in vhost '${this.name}'`,
      );
    }
    return this.routeAndEnqueue(exchange, message, undefined, false);
  }

  // ------------------------------------------------------- QueueHost (callbacks)

  deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    const exchangeName = queue.settings.deadLetterExchange!;
    const exchange = this.exchanges.get(exchangeName);
    if (exchange === undefined) return; // a missing DLX drops the message, as RabbitMQ
    const dead = deadLetterMessage(
      message,
      reason,
      queue.name,
      exchangeName,
      queue.settings.deadLetterRoutingKey,
    );
    const { queues } = routeMessage(exchange, dead.message, this.lookupExchange, dead.routingKeys);
    for (const target of queues) {
      if (isDeathCycle(dead.message, target.name)) continue;
      target.enqueue(dead.message);
    }
  }

  deleteUnused(queue: Queue): void {
    if (!queue.deleted && this.queues.get(queue.name) === queue) this.removeQueue(queue);
  }

  persist(queue: Queue, message: Message): StoredRef {
    return this.durability.append(queue, message);
  }

  forget(queue: Queue, ref: StoredRef): void {
    this.durability.remove(queue, ref);
  }

  delivered(queue: Queue, ref: StoredRef): void {
    this.durability.delivered(queue, ref);
  }

  isReadable(ref: StoredRef): boolean {
    return this.durability.isReadable(ref);
  }

  readPaged(refs: readonly StoredRef[]): Promise<Message[]> {
    return this.durability.read(refs);
  }

  readPagedSync(ref: StoredRef): Message {
    return this.durability.readSync(ref);
  }

  withDeliveryCount(message: Message, count: number): Message {
    const props = message.properties;
    return message.withProperties(message.exchange, message.routingKey, {
      ...props,
      headers: {
        ...(props.headers ?? {}),
        'x-delivery-count': { type: 'l', value: BigInt(count) },
      },
    });
  }

  // -------------------------------------------------------------------- private

  private routeAndEnqueue(
    exchange: Exchange,
    message: Message,
    routingKeys: readonly string[] | undefined,
    bypassDelay: boolean,
  ): number {
    const keys = routingKeys ?? (message.hasHeaders ? headerRoutingKeys(message) : undefined);
    const { queues, held } = routeMessage(
      exchange,
      message,
      this.lookupExchange,
      keys,
      bypassDelay,
    );
    const heldFlags = held ? PUBLISH_ROUTED | (this.heldDurably ? PUBLISH_PERSISTED : 0) : 0;
    this.heldDurably = false;
    if (queues.length === 0) return heldFlags;
    let delivered = message;
    if (keys !== undefined && message.headers?.['BCC'] !== undefined) {
      // BCC routes like CC but must not reach consumers
      const props = message.properties;
      const headers = { ...props.headers };
      delete headers['BCC'];
      delivered = message.withProperties(message.exchange, message.routingKey, {
        ...props,
        headers,
      });
      delivered.publishedKeys = keys;
    }
    let flags = PUBLISH_ROUTED | heldFlags;
    for (let i = 0; i < queues.length; i++) {
      const outcome = queues[i]!.enqueue(delivered);
      if (outcome & ENQUEUED_PERSISTED) flags |= PUBLISH_PERSISTED;
      if (outcome & ENQUEUE_REJECTED) flags |= PUBLISH_REJECTED;
    }
    return flags;
  }

  private addExchange(exchange: Exchange): void {
    this.exchanges.set(exchange.name, exchange);
    if (exchange instanceof DelayedMessageExchange) {
      exchange.onRelease = (x, entry) => this.releaseDelayed(x, entry);
      exchange.onHold = (x, entry) => {
        if (x.durable && entry.message.persistent) {
          this.durability.delayedHeld(x, entry);
          this.heldDurably = true; // the publisher's confirm waits for the store
        }
      };
    }
  }

  private releaseDelayed(exchange: DelayedMessageExchange, entry: DelayedEntry): void {
    if (entry.handle !== undefined) this.durability.delayedReleased(exchange, entry);
    if (!exchange.deleted) this.routeAndEnqueue(exchange, entry.message, undefined, true);
  }

  private removeExchange(exchange: Exchange): void {
    exchange.deleted = true;
    this.exchanges.delete(exchange.name);
    for (const binding of [...exchange.bindings.values()]) this.dropBinding(binding, false);
    for (const binding of [...exchange.incoming]) this.dropBinding(binding, true);
    exchange.dispose();
    if (exchange.durable) this.durability.exchangeDeleted(exchange);
  }

  private removeQueue(queue: Queue): number {
    const count = queue.delete();
    this.queues.delete(queue.name);
    for (const binding of [...queue.incoming]) this.dropBinding(binding, true);
    if (queue.durable) this.durability.queueDeleted(queue);
    return count;
  }

  private bindableExchange(name: string): Exchange {
    if (name === '') throw defaultExchangeRefused();
    return this.exchange(name);
  }

  private addBinding(binding: Binding): void {
    if (!binding.source.bind(binding)) return;
    binding.destination.incoming.add(binding);
    if (binding.source.durable && binding.destination.durable)
      this.durability.bindingAdded(binding);
  }

  private removeBinding(source: Exchange, id: string): void {
    const binding = source.bindings.get(id);
    if (binding !== undefined) this.dropBinding(binding, true);
  }

  /** Unlinks a binding from both ends; an auto-delete source goes with its last binding. */
  private dropBinding(binding: Binding, autoDeleteSource: boolean): void {
    binding.source.unbind(binding.id);
    binding.destination.incoming.delete(binding);
    if (binding.source.durable && binding.destination.durable)
      this.durability.bindingRemoved(binding);
    const source = binding.source;
    if (autoDeleteSource && source.autoDelete && source.bindings.size === 0 && !source.deleted) {
      this.removeExchange(source);
    }
  }

  private checkExclusive(queue: Queue, owner: object): void {
    if (queue.exclusiveOwner !== undefined && queue.exclusiveOwner !== owner) {
      throw new AmqpError(
        ReplyCode.ResourceLocked,
        `cannot obtain exclusive access to locked queue '${queue.name}' in vhost '${this.name}'. ` +
          'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.',
      );
    }
  }
}

function notFound(kind: 'queue' | 'exchange', name: string, vhost: string): AmqpError {
  return new AmqpError(ReplyCode.NotFound, `no ${kind} '${name}' in vhost '${vhost}'`);
}

function defaultExchangeRefused(): AmqpError {
  return new AmqpError(ReplyCode.AccessRefused, 'operation not permitted on the default exchange');
}

function serverNamedQueue(): string {
  return `amq.gen-${randomBytes(16).toString('base64url')}`;
}

export type { Destination };
