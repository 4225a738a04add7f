import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import {
  errorText,
  type ConnectionHook,
  type ConnectionManager,
} from '../connection/connection-manager';
import { flushAcks } from './ack-batcher';

/** What to do with one delivery; must settle it (ack/nack) on the given channel. */
export type DeliveryProcessor = (message: ConsumeMessage, channel: Channel) => Promise<void>;

export interface QueueConsumerOptions {
  readonly queue: string;
  readonly prefetch: number;
  readonly concurrency: number;
  readonly consume?: Options.Consume;
  /** Checked before each (re)attach; false skips this consumer (e.g. its queue failed to declare). */
  readonly canAttach?: () => boolean;
}

/**
 * One consumer on one queue with its own channel (prefetch is per channel).
 * Re-attaches after every reconnect unless it was cancelled; runs at most
 * `concurrency` processors at a time; on stop, cancels, lets in-flight work
 * finish and settle, then closes its channel (unstarted deliveries are
 * requeued by the broker on close).
 */
export class QueueConsumer implements ConnectionHook {
  readonly name: string;
  readonly order = 20;
  private readonly logger: Logger;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private cancelled = false;
  private running = 0;
  private readonly backlog: { message: ConsumeMessage; channel: Channel }[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly connections: ConnectionManager,
    readonly options: QueueConsumerOptions,
    private readonly processor: DeliveryProcessor,
  ) {
    this.name = `consumer of queue '${options.queue}'`;
    this.logger = new Logger(`Surety.Consumer(${options.queue})`);
  }

  get active(): boolean {
    return this.consumerTag !== undefined;
  }
  get isCancelled(): boolean {
    return this.cancelled;
  }
  get inFlight(): number {
    return this.running;
  }

  async onConnected(connection: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    if (this.options.canAttach && !this.options.canAttach()) {
      this.logger.error(
        `not consuming queue '${this.options.queue}': its declaration failed (see above)`,
      );
      return;
    }
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) =>
      this.logger.error(`channel error on queue '${this.options.queue}': ${error.message}`),
    );
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.consumerTag = undefined;
      }
      // Deliveries not yet started on a closed channel will be redelivered by the broker.
      this.dropBacklogOf(channel);
    });
    await channel.prefetch(this.options.prefetch);
    this.channel = channel;
    const reply = await channel.consume(
      this.options.queue,
      (message) => this.onDelivery(message, channel),
      { noAck: false, ...this.options.consume },
    );
    this.consumerTag = reply.consumerTag;
    this.logger.log(`consuming queue '${this.options.queue}' (prefetch ${this.options.prefetch})`);
  }

  /**
   * Cancels the consumer (it is not re-attached after reconnects), waits up
   * to `timeoutMs` for running handlers to finish and settle, closes the channel.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.cancelled = true;
    const channel = this.channel;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (channel && tag) await channel.cancel(tag).catch(() => undefined);
    if (channel) this.dropBacklogOf(channel);
    await this.whenIdle(timeoutMs);
    if (this.running > 0) {
      this.logger.warn(
        `${this.running} handler(s) still running after ${timeoutMs} ms; their messages will be redelivered`,
      );
    }
    this.channel = undefined;
    // Finished handlers' acks may still wait for their batch: send them before closing.
    if (channel) flushAcks(channel);
    await channel?.close().catch(() => undefined);
  }

  private onDelivery(message: ConsumeMessage | null, channel: Channel): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): do not resurrect on reconnect.
      this.cancelled = true;
      this.consumerTag = undefined;
      this.logger.error(
        `the broker cancelled the consumer of queue '${this.options.queue}' (queue deleted?)`,
      );
      return;
    }
    // Stopping: leave it unacked; the broker requeues it when the channel closes.
    if (this.cancelled) return;
    if (this.running < this.options.concurrency) this.run(message, channel);
    else this.backlog.push({ message, channel });
  }

  private run(message: ConsumeMessage, channel: Channel): void {
    this.running++;
    // One reaction per delivery (not catch + finally): this runs for every message.
    this.processor(message, channel).then(this.done, this.failed);
  }

  private readonly failed = (error: unknown): void => {
    this.logger.error(
      `unexpected failure processing a message from '${this.options.queue}': ${errorText(error)}`,
    );
    this.done();
  };

  private readonly done = (): void => {
    this.running--;
    const next = this.cancelled ? undefined : this.backlog.shift();
    if (next) this.run(next.message, next.channel);
    else if (this.running === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  };

  private dropBacklogOf(channel: Channel): void {
    for (let i = this.backlog.length - 1; i >= 0; i--) {
      if (this.backlog[i].channel === channel) this.backlog.splice(i, 1);
    }
  }

  private whenIdle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
