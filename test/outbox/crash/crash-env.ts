import type { IdempotencyStoreKind } from '@surety/messaging/idempotency';
import { Outbox } from '@surety/messaging/outbox';
import { freshPostgres, postgresUrl, type TestDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { serviceUrl } from '../../support/services';
import { deleteEntities } from '../../idempotency/support/cleanup';
import { declareTopology, type TestTopology } from '../support/messaging-env';
import { Child } from './child';

/** How many events a crash test writes: small in `npm test`, SURETY_CRASH_EVENTS for the large run. */
export function crashEvents(ciDefault: number): number {
  const configured = Number(process.env.SURETY_CRASH_EVENTS);
  return Number.isInteger(configured) && configured > 0 ? configured : ciDefault;
}

/**
 * One crash scenario's world: a fresh PostgreSQL database (PGlite cannot be shared by
 * processes) with a tiny business table, the effects and deliveries the consumers
 * record, a topic exchange + durable queue, and the child processes.
 */
export class CrashEnv {
  private readonly children = new Set<Child>();
  private readonly outbox = new Outbox();
  private written = 0;
  readonly redisPrefix = uniqueName('crash.idem');

  private constructor(
    readonly db: TestDatabase,
    readonly topology: TestTopology,
    /** The URL children use (a proxy in front of the broker in restart tests). */
    public brokerUrl: string,
    /** The URL the test itself uses (update it when the broker comes back elsewhere). */
    public adminBrokerUrl: string,
  ) {}

  static async create(brokerUrl: string, childBrokerUrl = brokerUrl): Promise<CrashEnv> {
    const db = await freshPostgres();
    await db.sql.exec(`
      CREATE TABLE business (id serial PRIMARY KEY, note text NOT NULL);
      CREATE TABLE effects (id bigserial PRIMARY KEY, business_id int NOT NULL, message_id text NOT NULL);
      CREATE TABLE deliveries (id bigserial PRIMARY KEY, message_id text NOT NULL, pid int NOT NULL);`);
    const topology = await declareTopology(brokerUrl, 'crash');
    return new CrashEnv(db, topology, childBrokerUrl, brokerUrl);
  }

  relay(options: { crashPoint?: 'after-confirm' } = {}): Child {
    return this.track(
      Child.start('relay', 'relay-process.ts', {
        DATABASE_URL: postgresUrl(this.db.name),
        BROKER_URL: this.brokerUrl,
        SURETY_CRASH_POINT: options.crashPoint ?? '',
      }),
    );
  }

  consumer(store: IdempotencyStoreKind, options: { crashPoint?: 'after-commit' } = {}): Child {
    return this.track(
      Child.start(`consumer(${store})`, 'consumer-process.ts', {
        DATABASE_URL: postgresUrl(this.db.name),
        BROKER_URL: this.brokerUrl,
        REDIS_URL: serviceUrl('redis'),
        QUEUE: this.topology.queue,
        SURETY_IDEMPOTENCY: store,
        SURETY_REDIS_PREFIX: this.redisPrefix,
        SURETY_CRASH_POINT: options.crashPoint ?? '',
      }),
    );
  }

  /**
   * Commits `count` business rows, each with its event, in transactions of 1–5 rows;
   * every fourth transaction also tries a row and rolls back, which must leave no
   * trace downstream. A third of the events carry an ordering key.
   */
  async writeBusiness(count: number): Promise<void> {
    let done = 0;
    let round = 0;
    while (done < count) {
      const size = Math.min(count - done, 1 + (round % 5));
      await this.db.prisma.$transaction(async (tx) => {
        for (let i = 0; i < size; i++) {
          const [row] = await tx.$queryRawUnsafe<{ id: number }[]>(
            'INSERT INTO business (note) VALUES ($1) RETURNING id',
            `row ${this.written + i}`,
          );
          await this.outbox.add(tx, {
            type: 'business.recorded',
            exchange: this.topology.exchange,
            key: row.id % 3 === 0 ? `k${row.id % 7}` : undefined,
            payload: { businessId: row.id },
          });
        }
      });
      if (round % 4 === 3) {
        await this.db.prisma
          .$transaction(async (tx) => {
            const [row] = await tx.$queryRawUnsafe<{ id: number }[]>(
              "INSERT INTO business (note) VALUES ('rolled back') RETURNING id",
            );
            await this.outbox.add(tx, {
              type: 'business.recorded',
              exchange: this.topology.exchange,
              payload: { businessId: row.id },
            });
            throw new Error('rollback on purpose');
          })
          .catch(() => undefined);
      }
      done += size;
      this.written += size;
      round++;
    }
  }

  /** Waits until every event is sent and every business row has taken effect. */
  async settled(timeoutMs = 120_000): Promise<void> {
    await eventually(
      async () => {
        const { rows } = await this.db.sql.query<{ pending: bigint; missing: bigint }>(`
          SELECT (SELECT count(*) FROM surety_outbox WHERE status <> 'sent') AS pending,
                 (SELECT count(*) FROM business b
                   WHERE NOT EXISTS (SELECT 1 FROM effects e WHERE e.business_id = b.id)) AS missing`);
        expect({ pending: Number(rows[0].pending), missing: Number(rows[0].missing) }).toEqual({
          pending: 0,
          missing: 0,
        });
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** The final ledger: what exactly-once is checked against. */
  async ledger(): Promise<Ledger> {
    const { rows } = await this.db.sql.query<Record<keyof Ledger, bigint>>(`
      SELECT
        (SELECT count(*) FROM business) AS business,
        (SELECT count(*) FROM surety_outbox) AS events,
        (SELECT count(*) FROM surety_outbox WHERE status <> 'sent') AS unsent,
        (SELECT count(*) FROM effects) AS effects,
        (SELECT count(*) FROM (SELECT business_id FROM effects GROUP BY business_id
                               HAVING count(*) > 1) d) AS duplicated,
        (SELECT count(*) FROM business b
          WHERE NOT EXISTS (SELECT 1 FROM effects e WHERE e.business_id = b.id)) AS missing,
        (SELECT count(*) FROM effects e
          WHERE NOT EXISTS (SELECT 1 FROM business b WHERE b.id = e.business_id)) AS orphans,
        (SELECT count(*) FROM deliveries) AS deliveries`);
    return Object.fromEntries(
      Object.entries(rows[0]).map(([key, value]) => [key, Number(value)]),
    ) as unknown as Ledger;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.children].map((child) => child.kill9()));
    await this.topology.dispose(this.adminBrokerUrl);
    await deleteEntities(this.adminBrokerUrl, { queues: [`${this.topology.queue}.dlq`] });
    await this.db.drop();
  }

  private track(child: Child): Child {
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }
}

export interface Ledger {
  readonly business: number;
  readonly events: number;
  readonly unsent: number;
  readonly effects: number;
  /** Business rows with more than one effect. */
  readonly duplicated: number;
  /** Business rows without an effect. */
  readonly missing: number;
  /** Effects without a business row. */
  readonly orphans: number;
  /** Deliveries the consumers saw (duplicates included). */
  readonly deliveries: number;
}
