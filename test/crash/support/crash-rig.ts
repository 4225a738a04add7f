import Redis from 'ioredis';
import { freshPostgres, postgresUrl, type TestDatabase } from '../../support/database';
import { uniqueName } from '../../support/names';
import { serviceUrl } from '../../support/services';
import { AmqpAdmin } from './amqp-admin';
import { ChildProcesses, type CrashChild } from './crash-child';
import { CrashEnv, type StoreKind } from './crash-env';
import { effectTablesDdl } from './effects';

/** How long a child may take to start (Nest + swc on a busy 2-core machine). */
const START_TIMEOUT_MS = 60_000;

/**
 * Everything one crash scenario owns: its own PostgreSQL database (outbox, inbox,
 * business and effect tables), unique exchange/queue/delay/Redis names, and the child
 * processes it started — all of it removed by `dispose()`, children killed -9 first.
 */
export class CrashRig {
  readonly children = new ChildProcesses();
  readonly exchange = uniqueName('crash.events');
  readonly queue = uniqueName('crash.q');
  readonly delayPrefix = uniqueName('crash.delay');
  readonly redisPrefix = uniqueName('crash-idem');
  /** Every child this rig started, dead or alive, in start order (for the counts). */
  readonly started: CrashChild[] = [];
  private readonly declared = { queues: new Set<string>(), exchanges: new Set<string>() };
  private readonly counters = new Map<string, number>();

  private constructor(
    readonly store: StoreKind,
    /** Where the children connect (a TCP proxy's URL when the test puts one in between). */
    public brokerUrl: string,
    /** Where the test itself connects for counts and cleanup. */
    readonly adminUrl: string,
    readonly db: TestDatabase,
  ) {
    this.declared.queues.add(this.queue);
    this.declared.exchanges.add(this.exchange);
  }

  /** `adminUrl`: where the test reaches the broker itself (default: `brokerUrl`). */
  static async create(
    store: StoreKind,
    brokerUrl: string,
    adminUrl = brokerUrl,
  ): Promise<CrashRig> {
    const db = await freshPostgres();
    try {
      await db.sql.exec(effectTablesDdl(store));
    } catch (error) {
      await db.drop();
      throw error;
    }
    return new CrashRig(store, brokerUrl, adminUrl, db);
  }

  get databaseUrl(): string {
    return postgresUrl(this.db.name);
  }

  /** The consumer; resolves once it consumes (it declared the topology). */
  async startConsumer(env: Record<string, string> = {}): Promise<CrashChild> {
    const child = this.start('consumer', env);
    const topology = await child.waitForLine(/^TOPOLOGY /, START_TIMEOUT_MS);
    const { queues, exchanges } = JSON.parse(topology.slice('TOPOLOGY '.length)) as {
      queues: string[];
      exchanges: string[];
    };
    for (const q of queues) this.declared.queues.add(q);
    for (const e of exchanges) this.declared.exchanges.add(e);
    await child.waitForLine(/^READY$/, START_TIMEOUT_MS);
    return child;
  }

  /** The outbox relay; resolves once it relays. */
  async startRelay(env: Record<string, string> = {}): Promise<CrashChild> {
    const child = this.start('relay', env);
    await child.waitForLine(/^READY$/, START_TIMEOUT_MS);
    return child;
  }

  /** The producer, writing business rows + outbox events up to `total`. */
  async startProducer(total: number, pauseMs: number): Promise<CrashChild> {
    const child = this.start('producer', {
      [CrashEnv.events]: String(total),
      [CrashEnv.pauseMs]: String(pauseMs),
    });
    await child.waitForLine(/^READY /, START_TIMEOUT_MS);
    return child;
  }

  /** Every queue the consumers declared (the main queue, its dead-letter and delay queues). */
  get declaredQueues(): string[] {
    return [...this.declared.queues];
  }

  /** Lines with `prefix` reported by every `role` child so far, prefix removed. */
  reported(role: string, prefix: string): string[] {
    return this.started.filter((c) => c.role.startsWith(role)).flatMap((c) => c.reported(prefix));
  }

  /** Outbox rows by status ({ pending, sent, failed }, missing ones 0). */
  async outboxStatuses(): Promise<Record<'pending' | 'sent' | 'failed', number>> {
    const { rows } = await this.db.sql.query<{ status: string; n: bigint }>(
      'SELECT status::text AS status, count(*) AS n FROM surety_outbox GROUP BY status',
    );
    const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    return { pending: by.pending ?? 0, sent: by.sent ?? 0, failed: by.failed ?? 0 };
  }

  async count(table: 'business' | 'effects' | 'surety_inbox'): Promise<number> {
    const { rows } = await this.db.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  }

  /** Kills every child -9, deletes the broker entities, Redis keys and the database. */
  async dispose(): Promise<void> {
    await this.children.killAll();
    const admin = await AmqpAdmin.open(this.adminUrl).catch(() => undefined);
    if (admin) {
      await admin.deleteAll({
        queues: [...this.declared.queues],
        exchanges: [...this.declared.exchanges],
      });
      await admin.close();
    }
    if (this.store === 'redis') await deleteRedisKeys(`${this.redisPrefix}:*`);
    await this.db.drop();
  }

  private start(role: string, env: Record<string, string>): CrashChild {
    const n = (this.counters.get(role) ?? 0) + 1;
    this.counters.set(role, n);
    const child = this.children.start(
      role,
      {
        [CrashEnv.databaseUrl]: this.databaseUrl,
        [CrashEnv.brokerUrl]: this.brokerUrl,
        [CrashEnv.exchange]: this.exchange,
        [CrashEnv.queue]: this.queue,
        [CrashEnv.store]: this.store,
        [CrashEnv.redisUrl]: serviceUrl('redis'),
        [CrashEnv.redisPrefix]: this.redisPrefix,
        [CrashEnv.delayPrefix]: this.delayPrefix,
        ...env,
      },
      `${role}#${n}`,
    );
    this.started.push(child);
    return child;
  }
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(serviceUrl('redis'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Best effort: the keys carry a retention TTL anyway.
  } finally {
    redis.disconnect();
  }
}
