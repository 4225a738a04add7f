import { join } from 'node:path';
import type { DurableStore } from '../store';
import { PagingStore } from '../store/paging-store';
import { AccessControl } from '../config/access-control';
import type { BrokerConfig } from '../config/broker-config';
import { MemoryBudget } from '../model/memory-budget';
import { Vhost } from '../model/vhost';
import { GroupCommit } from './group-commit';
import { Pager } from './pager';
import { PagingArea } from './paging-area';
import { RecoveredMessages } from './recovered-messages';
import { recoverState } from './recovery';
import { ResourceAlarm, type AlarmKind } from './resource-alarm';
import { StoreDurability } from './store-durability';

/** What a connection must offer the broker (alarms, shutdown, management). */
export interface BrokerConnection {
  readonly id: number;
  readonly user: string | undefined;
  readonly vhostName: string | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly connectedAt: number;
  readonly clientProperties: Record<string, unknown>;
  channelCount(): number;
  onAlarm(blocked: boolean, reason: string): void;
  /** Server-initiated close (shutdown, management) with connection.close 320. */
  forceClose(reason: string): void;
}

/** A consumer of amq.rabbitmq.reply-to on some channel (direct reply-to). */
export interface ReplyReceiver {
  deliverReply(message: import('../model/message').Message): boolean;
}

export interface BrokerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: BrokerLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Broker-wide counters (management /api/overview and /metrics). */
export interface BrokerCounters {
  published: number;
  delivered: number;
  acked: number;
  confirmed: number;
  returned: number;
  connectionsOpened: number;
  connectionsClosed: number;
}

/**
 * The broker's state shared by every connection: vhosts, access control, the
 * store with its group commit, resource alarms, and direct reply-to receivers.
 */
export class Broker {
  readonly access: AccessControl;
  readonly vhosts = new Map<string, Vhost>();
  readonly connections = new Set<BrokerConnection>();
  readonly replyReceivers = new Map<string, ReplyReceiver>();
  readonly commit: GroupCommit;
  readonly counters: BrokerCounters = {
    published: 0,
    delivered: 0,
    acked: 0,
    confirmed: 0,
    returned: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
  };
  readonly alarm: ResourceAlarm;
  /** Ready messages held in memory (estimated bytes) against the configured budget. */
  readonly memory: MemoryBudget;
  /** Scratch files transient ready messages page out to over the budget. */
  readonly paging: PagingArea;
  private pager: Pager | undefined;
  private durability: StoreDurability | undefined;
  private nextConnectionId = 1;

  private constructor(
    readonly config: BrokerConfig,
    readonly store: DurableStore | undefined,
    readonly dataDir: string | undefined,
    readonly logger: BrokerLogger,
  ) {
    this.access = new AccessControl(config);
    this.commit = new GroupCommit(
      () => (this.store ? this.store.sync() : Promise.resolve()),
      (error) => this.logger.error(`store sync failed: ${(error as Error).message}`),
    );
    this.memory = new MemoryBudget(config.messageMemoryBudget);
    this.paging = new PagingArea((error) =>
      this.logger.error(`paging read failed: ${(error as Error).message}`),
    );
    for (const name of config.vhosts) this.vhosts.set(name, this.newVhost(name));
    this.alarm = new ResourceAlarm({
      memoryHighWatermark: config.memoryHighWatermark,
      diskFreeLimit: config.diskFreeLimit,
      dataDir,
      onChange: (kind, raised) => this.onAlarm(kind, raised),
    });
  }

  /** Opens the store (when given), recovers durable state, starts the alarms. */
  static async open(options: {
    config: BrokerConfig;
    store?: DurableStore;
    dataDir?: string;
    logger?: BrokerLogger;
  }): Promise<Broker> {
    const broker = new Broker(
      options.config,
      options.store,
      options.dataDir,
      options.logger ?? silentLogger,
    );
    if (broker.store !== undefined) {
      const store = broker.store;
      const recovered = new RecoveredMessages(broker.memory.limit);
      const state = await store.open({ onMessage: recovered.visit });
      broker.durability = new StoreDurability(
        store,
        broker.commit,
        (error) => broker.logger.error(`store write failed: ${(error as Error).message}`),
        (error) => broker.logger.error(`store read failed: ${(error as Error).message}`),
      );
      const delayedKeys = recoverState(
        state,
        (name) => broker.vhostOrCreate(name),
        (m) => broker.logger.warn(m),
        recovered,
      );
      for (const key of delayedKeys) broker.durability.delayedQueues.add(key);
      for (const vhost of broker.vhosts.values()) {
        vhost.setDurability(broker.durability);
        // queues restored with paged-out messages start reading their heads back
        for (const queue of vhost.queues.values()) queue.prefetch();
      }
    }
    // After the store: it holds the data directory's lock, and the wipe of a previous
    // run's paging files must not race another broker on the same directory.
    broker.paging.attach(
      broker.dataDir === undefined
        ? await PagingStore.openTemporary({ logger: broker.logger })
        : await PagingStore.open(join(broker.dataDir, 'paging'), { logger: broker.logger }),
    );
    const store = broker.store;
    broker.pager = new Pager(
      broker.memory,
      () => broker.vhosts.values(),
      // what the pager could not take yet may be records still being written
      () => Promise.all([store?.sync(), broker.paging.written()]).then(() => undefined),
    );
    broker.alarm.start();
    return broker;
  }

  get blocked(): boolean {
    return this.alarm.active.length > 0;
  }

  get blockReason(): string {
    // RabbitMQ's wording: "low on memory", "low on disk", or both joined by " & ".
    const active = this.alarm.active;
    return [active.includes('memory') && 'memory', active.includes('disk') && 'disk']
      .filter(Boolean)
      .join(' & ')
      .replace(/^(.+)$/, 'low on $1');
  }

  newConnectionId(): number {
    return this.nextConnectionId++;
  }

  vhost(name: string): Vhost | undefined {
    return this.vhosts.get(name);
  }

  /** Waits until definitions and every appended message are on disk. */
  async settle(): Promise<void> {
    await this.durability?.definitionsSettled();
    await this.commit.flush();
  }

  /** Closes client connections, makes everything durable, closes the store. */
  async close(): Promise<void> {
    this.alarm.stop();
    this.pager?.stop();
    for (const connection of [...this.connections]) connection.forceClose('broker shutdown');
    await this.settle();
    for (const vhost of this.vhosts.values()) {
      for (const exchange of vhost.exchanges.values()) exchange.dispose();
      for (const queue of vhost.queues.values()) queue.delete();
    }
    await this.paging.close();
    await this.store?.close();
  }

  private vhostOrCreate(name: string): Vhost {
    let vhost = this.vhosts.get(name);
    if (vhost === undefined) {
      vhost = this.newVhost(name);
      this.vhosts.set(name, vhost);
    }
    return vhost;
  }

  private newVhost(name: string): Vhost {
    return new Vhost(name, undefined, this.memory, this.paging);
  }

  private onAlarm(kind: AlarmKind, raised: boolean): void {
    this.logger.warn(`${kind} alarm ${raised ? 'set' : 'cleared'}`);
    const blocked = this.blocked;
    for (const connection of this.connections) connection.onAlarm(blocked, this.blockReason);
  }
}
