import type { DatabaseHandle } from '@surety/database';
import type { IdempotencyModuleOptions, IdempotencySetting } from '@surety/messaging/idempotency';
import { databaseTargets, type DatabaseTarget } from '../../support/database';
import { uniqueName } from '../../support/names';
import { serviceUrl, type ServiceName } from '../../support/services';
import type { TestHandler } from './consumer-app';

/**
 * One idempotency store as a consumer application sees it: what to hand to
 * startConsumerApp, and a handler effect the test can count afterwards.
 */
export interface ConsumerStoreCase {
  readonly name: string;
  readonly kind: 'db' | 'redis';
  readonly needs: ServiceName[];
  open(): Promise<ConsumerStore>;
}

export interface ConsumerStore {
  /** The database the apps must share (db store only). */
  readonly database: DatabaseHandle | undefined;
  /** IdempotencyModule options; every app given these shares one dedup record. */
  readonly stores: IdempotencyModuleOptions;
  /** `@Subscribe({ idempotency })` for this store, with the given key and scope. */
  setting(options?: Omit<Exclude<IdempotencySetting, string>, 'store'>): IdempotencySetting;
  /**
   * A handler whose effect is one recorded `label` per run — in the database through
   * `context.tx` for db (so it commits with the inbox row), in memory for redis.
   */
  recordEffect(label: (payload: { n: number }) => string): TestHandler;
  /** Every effect recorded so far, sorted. */
  effects(): Promise<string[]>;
  dispose(): Promise<void>;
}

const redis: ConsumerStoreCase = {
  name: 'redis',
  kind: 'redis',
  needs: ['redis'],
  async open() {
    // The key prefix isolates this test; apps opened with these options share it.
    const prefix = uniqueName('surety-test-idem');
    const seen: string[] = [];
    return {
      database: undefined,
      stores: { redis: { url: serviceUrl('redis'), prefix } },
      setting: (options = {}) => ({ store: 'redis', ...options }),
      recordEffect: (label) => async (payload) => {
        seen.push(label(payload));
      },
      effects: async () => [...seen].sort(),
      dispose: async () => undefined,
    };
  },
};

function db(target: DatabaseTarget): ConsumerStoreCase {
  return {
    name: `db (${target.name})`,
    kind: 'db',
    needs: target.needs,
    async open() {
      const database = await target.fresh();
      await database.sql.exec('CREATE TABLE effects (id serial PRIMARY KEY, label text NOT NULL)');
      return {
        database,
        stores: { db: true },
        setting: (options = {}) => ({ store: 'db', ...options }),
        recordEffect: (label) => async (payload, context) => {
          await context.tx!.$executeRawUnsafe(
            'INSERT INTO effects (label) VALUES ($1)',
            label(payload),
          );
        },
        async effects() {
          const { rows } = await database.sql.query<{ label: string }>('SELECT label FROM effects');
          return rows.map((row) => row.label).sort();
        },
        dispose: () => database.drop(),
      };
    },
  };
}

/** Both stores, the db one on every database of the matrix. */
export function consumerStoreCases(): ConsumerStoreCase[] {
  return [redis, ...databaseTargets().map(db)];
}
