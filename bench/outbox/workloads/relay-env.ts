// What the relay workloads share: the messaging core's publisher on its own
// connection (no Nest), a publisher wrapper that notes each confirm, the database,
// and the fast pre-fill of pending rows.
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, resolveDatabaseUrl, type DatabaseHandle } from '@surety/database';
import {
  ConnectionManager,
  Publisher,
  type OutgoingMessage,
  type PublishResult,
} from '@surety/messaging';
import type { BatchPublisher, OutboxRelayOptions } from '@surety/messaging/outbox';
import { EVENT_TYPE, WINDOW, payload } from '../config';

export interface RelayEnv {
  readonly db: DatabaseHandle;
  readonly publisher: ObservedPublisher;
  close(): Promise<void>;
}

export async function openRelayEnv(url: string, databaseUrl: string): Promise<RelayEnv> {
  const connections = new ConnectionManager({ urls: [url], connectionName: 'bench-outbox' });
  const core = new Publisher(connections, { window: WINDOW });
  await connections.start();
  // Producers (8 lanes) and pipelined claims (each holds a connection) at once.
  const db = await createDatabase(resolveDatabaseUrl(databaseUrl), { poolSize: 16 });
  return {
    db,
    publisher: new ObservedPublisher(core),
    async close() {
      await core.close();
      await connections.close();
      await db.close();
    },
  };
}

/**
 * The relay's publisher, passed through, noting when each message was confirmed
 * (when its batch came back: the moment the relay learns it) and waking whoever
 * waits for a number of confirms.
 */
export class ObservedPublisher implements BatchPublisher {
  confirmed = 0;
  /** messageId → ms (performance.now()) of its confirm, while `record` is on. */
  readonly confirmedAt = new Map<string, number>();
  record = false;
  private waiter: { count: number; resolve: () => void } | undefined;

  constructor(private readonly inner: Publisher) {}

  async publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishResult[]> {
    const results = await this.inner.publishBatch(messages);
    const at = performance.now();
    for (const result of results) {
      if (result.status !== 'confirmed') continue;
      this.confirmed++;
      if (this.record) this.confirmedAt.set(result.messageId, at);
    }
    if (this.waiter && this.confirmed >= this.waiter.count) {
      this.waiter.resolve();
      this.waiter = undefined;
    }
    return results;
  }

  /** Resolves once `count` messages have been confirmed in total. */
  until(count: number): Promise<void> {
    if (this.confirmed >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }
}

/**
 * A relay configuration under test: 'default', '<batchSize>x<pipelineDepth>' (e.g.
 * '500x6'), or 'in-process' (the single-relay claimer without row locks).
 */
export type RelayVariant = string;

/** The relay options a variant stands for; 'default' leaves every option at its default. */
export function relayOptions(variant: RelayVariant = 'default'): OutboxRelayOptions {
  if (variant === 'default') return {};
  if (variant === 'in-process') return { claim: 'in-process' };
  const match = /^(\d+)x(\d+)$/.exec(variant);
  if (!match) {
    throw new RangeError(
      `relay variant must be 'default', 'in-process' or '<batch>x<depth>', got '${variant}'`,
    );
  }
  return { batchSize: Number(match[1]), pipelineDepth: Number(match[2]) };
}

/**
 * Inserts `count` pending, keyless rows in one statement per 5000 (unnest), outside
 * the writer: this is set-up, not what is measured. Payloads are what add() stores.
 */
export async function prefill(db: DatabaseHandle, exchange: string, count: number): Promise<void> {
  const text = JSON.stringify(payload);
  for (let done = 0; done < count;) {
    const n = Math.min(5000, count - done);
    await db.sql.query(
      `INSERT INTO surety_outbox (exchange, routing_key, type, payload, headers, message_id)
       SELECT $1, $2, $2, $3::jsonb, '{}'::jsonb, unnest($4::uuid[])`,
      [exchange, EVENT_TYPE, text, Array.from({ length: n }, () => uuidv7())],
    );
    done += n;
  }
}

/** Waits until no row is pending: every confirmed row has also been marked sent. */
export async function untilNonePending(db: DatabaseHandle): Promise<void> {
  for (;;) {
    const { rows } = await db.sql.query<{ pending: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM surety_outbox WHERE status = 'pending') AS pending`,
    );
    if (!rows[0].pending) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Fails the run when any row did not end `sent` (a benchmark of lost work is no benchmark). */
export async function assertAllSent(db: DatabaseHandle, expected: number): Promise<void> {
  const { rows } = await db.sql.query<{ status: string; n: bigint }>(
    'SELECT status::text, count(*) AS n FROM surety_outbox GROUP BY status',
  );
  const sent = Number(rows.find((r) => r.status === 'sent')?.n ?? 0n);
  if (sent !== expected || rows.length !== 1) {
    throw new Error(
      `expected ${expected} sent outbox rows, found ${rows.map((r) => `${r.n} ${r.status}`).join(', ')}`,
    );
  }
}
