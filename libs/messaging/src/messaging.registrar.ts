import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConnectionManager } from './connection/connection-manager';
import { MessageHandlerWrapper } from './consuming/handler-wrapper';
import { MessageSettler } from './consuming/message-settler';
import { QueueConsumer } from './consuming/queue-consumer';
import { SubscriptionProcessor } from './consuming/subscription-processor';
import { deadLetterQueueOf } from './consuming/dead-letter.service';
import { maxAttempts } from './consuming/retry-policy';
import { DelayRouter } from './delay/delay-router';
import { deliverBinding } from './delay/delay-topology';
import type { ConsumerMiddleware } from './interfaces/consumer-middleware.interface';
import type { MessagingModuleOptions } from './interfaces/messaging-module-options.interface';
import type { RpcHandlerOptions } from './interfaces/rpc-options.interface';
import type { SubscribeOptions } from './interfaces/subscribe-options.interface';
import type { BindingDeclaration, Topology } from './interfaces/topology.interface';
import { CONSUMER_MIDDLEWARE } from './messaging.constants';
import { DiscoveredHandler, MessagingExplorer } from './messaging.explorer';
import { MESSAGING_MODULE_OPTIONS } from './messaging.module-definition';
import { Messages } from './messaging.messages';
import { Publisher } from './publishing/publisher';
import { RpcClient } from './rpc/rpc-client';
import { RpcProcessor } from './rpc/rpc-processor';
import { TopologyRegistry } from './topology/topology-registry';

const DEFAULT_PREFETCH = 20;

/**
 * Wires what the explorer found: declares each queue (and its dead-letter
 * queue and bindings), creates one QueueConsumer per queue, connects on
 * bootstrap, and drains on shutdown (stop consuming, let running handlers
 * finish and ack, flush confirms, close). Injectable, so that an application
 * can pause() and resume() the consumer of one of its queues.
 *
 * @publicApi
 */
@Injectable()
export class MessagingRegistrar
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Surety.Messaging');
  private readonly consumers: QueueConsumer[] = [];

  constructor(
    @Inject(MESSAGING_MODULE_OPTIONS) private readonly options: MessagingModuleOptions,
    private readonly connections: ConnectionManager,
    private readonly topology: TopologyRegistry,
    private readonly publisher: Publisher,
    private readonly rpc: RpcClient,
    private readonly explorer: MessagingExplorer,
    @Inject(CONSUMER_MIDDLEWARE) private readonly middleware: readonly ConsumerMiddleware[],
    private readonly wrapper: MessageHandlerWrapper,
    @Inject(DelayRouter) private readonly delays: DelayRouter | null,
  ) {}

  /** The consumers created from decorators (for tests and health output). */
  get queueConsumers(): readonly QueueConsumer[] {
    return this.consumers;
  }

  /**
   * Stops consuming `queue` (a @Subscribe or @RpcHandler queue) until
   * resume(queue), across reconnects. Resolves once its running handlers have
   * finished and settled (up to `shutdownTimeoutMs`) and its channel is closed;
   * prefetched messages that never started go back to the queue.
   *
   * @publicApi
   */
  async pause(queue: string): Promise<void> {
    await this.consumerOf(queue).pause(this.options.shutdownTimeoutMs ?? 30_000);
  }

  /**
   * Consumes `queue` again after pause(). Resolves once attached (at once while
   * disconnected: it attaches at the next connect).
   *
   * @publicApi
   */
  async resume(queue: string): Promise<void> {
    await this.consumerOf(queue).resume();
  }

  /**
   * True while `queue` is being consumed; false when paused, while reconnecting,
   * or when its declaration failed.
   *
   * @publicApi
   */
  isConsuming(queue: string): boolean {
    return this.consumerOf(queue).active;
  }

  private consumerOf(queue: string): QueueConsumer {
    const consumer = this.consumers.find((c) => c.options.queue === queue);
    if (!consumer) {
      const known = this.consumers.map((c) => `'${c.options.queue}'`).join(', ') || 'none';
      throw new Error(
        `no @Subscribe or @RpcHandler consumes queue '${queue}' (consumed: ${known})`,
      );
    }
    return consumer;
  }

  onModuleInit(): void {
    this.topology.add(this.options.topology ?? {});
    this.connections.addHook({
      name: 'topology',
      order: 0,
      onConnected: async (connection) => {
        await this.topology.declareAll(connection);
      },
    });
    const subscribed = this.registerSubscriptions(this.explorer.subscriptions());
    this.registerRpcHandlers(this.explorer.rpcHandlers(), subscribed);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connections.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const timeout = this.options.shutdownTimeoutMs ?? 30_000;
    await Promise.all(this.consumers.map((consumer) => consumer.stop(timeout)));
    await this.rpc.close();
    await this.publisher.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }

  private registerSubscriptions(discovered: DiscoveredHandler<SubscribeOptions>[]): Set<string> {
    const found = this.delays ? discovered : discovered.map((h) => this.withoutRetries(h));
    const byQueue = new Map<string, DiscoveredHandler<SubscribeOptions>[]>();
    for (const handler of found) {
      const list = byQueue.get(handler.options.queue) ?? [];
      list.push(handler);
      byQueue.set(handler.options.queue, list);
    }
    for (const [queue, handlers] of byQueue) {
      const settings = this.queueSettings(queue, handlers);
      if (!settings) continue;
      const deadLetterQueue =
        settings.deadLetter === false
          ? undefined
          : typeof settings.deadLetter === 'object'
            ? settings.deadLetter.queue
            : deadLetterQueueOf(queue);
      this.topology.add(this.queueTopology(queue, settings, handlers));
      if (deadLetterQueue) this.topology.add({ queues: [{ name: deadLetterQueue }] });
      if (this.delays && handlers.some((h) => maxAttempts(h.options.retry) > 1)) {
        this.topology.add({ bindings: [deliverBinding(this.delays.levels, { queue })] });
      }
      const settler = new MessageSettler(
        queue,
        this.publisher,
        this.connections.metrics,
        deadLetterQueue,
        () => this.connections.waitForConnection(10_000).then((c) => this.topology.declareAll(c)),
      );
      const processor = new SubscriptionProcessor(
        queue,
        handlers,
        this.middleware,
        this.wrapper,
        settler,
        this.connections.metrics,
      );
      this.addConsumer(queue, settings, processor.process);
    }
    return new Set(byQueue.keys());
  }

  /**
   * With `delay: false` there is nowhere to park a retry: a failure that asked for one
   * would be requeued every second, forever, its attempt count never growing.
   * So every failure is final (dead-letter queue); a handler that asked for retries
   * explicitly is told so at start.
   */
  private withoutRetries(
    handler: DiscoveredHandler<SubscribeOptions>,
  ): DiscoveredHandler<SubscribeOptions> {
    const { retry } = handler.options;
    if (retry !== undefined && maxAttempts(retry) > 1) {
      this.logger.warn(Messages.retriesNeedDelays(handler.name, maxAttempts(retry)));
    }
    return { ...handler, options: { ...handler.options, retry: false } };
  }

  private registerRpcHandlers(
    found: DiscoveredHandler<RpcHandlerOptions>[],
    subscribed: Set<string>,
  ) {
    const seen = new Map<string, string>();
    for (const handler of found) {
      const queue = handler.options.queue;
      if (subscribed.has(queue)) {
        this.logger.error(Messages.rpcQueueAlsoSubscribed(queue));
        continue;
      }
      if (seen.has(queue)) {
        this.logger.error(Messages.duplicateRpcHandler(queue, seen.get(queue)!, handler.name));
        continue;
      }
      seen.set(queue, handler.name);
      this.topology.add(this.queueTopology(queue, handler.options, [handler]));
      const processor = new RpcProcessor(
        queue,
        handler.name,
        handler.options,
        this.wrapper.wrap(handler.invoke, { name: handler.name, queue, kind: 'rpc' }),
        this.publisher,
        this.connections.metrics,
      );
      this.addConsumer(queue, handler.options, processor.process);
    }
  }

  private addConsumer(
    queue: string,
    settings: { prefetch?: number; concurrency?: number },
    process: ConstructorParameters<typeof QueueConsumer>[2],
  ): void {
    const prefetch = settings.prefetch ?? DEFAULT_PREFETCH;
    const consumer = new QueueConsumer(
      this.connections,
      {
        queue,
        prefetch,
        concurrency: settings.concurrency ?? prefetch,
        canAttach: () => this.topology.isQueueUsable(queue),
        reattach: this.options.reconnect,
        restore: (connection) => this.topology.declareAll(connection),
      },
      process,
    );
    this.consumers.push(consumer);
    this.connections.addHook(consumer);
  }

  /** The queue, its exchange (when given as a declaration) and its bindings. */
  private queueTopology(
    queue: string,
    settings: Pick<SubscribeOptions, 'declare' | 'queueOptions'>,
    handlers: DiscoveredHandler<SubscribeOptions | RpcHandlerOptions>[],
  ): Topology {
    const exchanges = [];
    const bindings: BindingDeclaration[] = [];
    for (const { options } of handlers) {
      if (!options.exchange) continue;
      const exchange =
        typeof options.exchange === 'string' ? options.exchange : options.exchange.name;
      if (typeof options.exchange === 'object') exchanges.push(options.exchange);
      const keys = options.routingKeys ?? [options.routingKey ?? ''];
      for (const key of keys) bindings.push({ queue, source: exchange, pattern: key });
    }
    const queues =
      settings.declare === false ? [] : [{ name: queue, options: settings.queueOptions }];
    return { exchanges, queues, bindings };
  }

  /** Queue-level settings shared by every handler of the queue; undefined (logged) on a conflict. */
  private queueSettings(
    queue: string,
    handlers: DiscoveredHandler<SubscribeOptions>[],
  ): SubscribeOptions | undefined {
    const keys = ['prefetch', 'concurrency', 'deadLetter', 'queueOptions', 'declare'] as const;
    const merged: Record<string, unknown> = { queue };
    const owner: Record<string, string> = {};
    for (const handler of handlers) {
      for (const key of keys) {
        const value = handler.options[key];
        if (value === undefined) continue;
        if (merged[key] !== undefined && JSON.stringify(merged[key]) !== JSON.stringify(value)) {
          this.logger.error(Messages.conflictingQueueSetting(queue, key, owner[key], handler.name));
          return undefined;
        }
        merged[key] = value;
        owner[key] = handler.name;
      }
    }
    const typeOwner = new Map<string, string>();
    let catchAll: string | undefined;
    for (const handler of handlers) {
      const types = handler.options.type;
      if (types === undefined) {
        if (catchAll) {
          this.logger.error(Messages.duplicateCatchAll(queue, catchAll, handler.name));
          return undefined;
        }
        catchAll = handler.name;
        continue;
      }
      for (const type of typeof types === 'string' ? [types] : types) {
        if (typeOwner.has(type)) {
          this.logger.error(
            Messages.duplicateType(queue, type, typeOwner.get(type)!, handler.name),
          );
          return undefined;
        }
        typeOwner.set(type, handler.name);
      }
    }
    return merged as unknown as SubscribeOptions;
  }
}
