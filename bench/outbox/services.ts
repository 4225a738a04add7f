// The services one benchmark run uses: a fresh PostgreSQL database (dropped after),
// a Redis key prefix (deleted after), RabbitMQ and the embedded broker in a child process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { createDatabase, resolveDatabaseUrl } from '@surety/database';
import { beamPids } from '../broker/proc-stats';
import { POSTGRES_URL, QUOTES, RABBITMQ_URL } from './config';

const ROOT = path.resolve(__dirname, '../..');

/** A broker under measurement: where to connect and whose CPU is its CPU. */
export interface BenchBroker {
  readonly name: 'RabbitMQ' | 'embedded';
  readonly url: string;
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export function rabbitmq(): BenchBroker {
  return { name: 'RabbitMQ', url: RABBITMQ_URL, pids: beamPids(), stop: async () => undefined };
}

/**
 * The embedded broker as its own process (`cli.ts --port 0`), so it has its own event
 * loop and its CPU can be read from /proc apart from the client's.
 */
export async function embedded(): Promise<BenchBroker> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'surety-bench-outbox-'));
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'libs/broker/src/cli.ts', '--port', '0', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string | undefined>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(undefined), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(amqp:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => resolve(undefined));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  if (!url) {
    await stop();
    throw new Error('the embedded broker did not print its URL within 30 s');
  }
  return { name: 'embedded', url, pids: [child.pid!], stop };
}

/** A scratch database with Surety's migrations and the benchmark's business table. */
export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<BenchDatabase> {
  const name = `surety_bench_outbox_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await createDatabase(resolveDatabaseUrl(url.toString()));
  try {
    await db.migrate();
    // What a business transaction of (b) writes besides its event.
    await db.sql.exec(
      `CREATE TABLE bench_policy (
         id uuid PRIMARY KEY, holder text NOT NULL, premium numeric NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now());
       CREATE TABLE bench_quote (
         id int PRIMARY KEY, holder text NOT NULL, premium numeric NOT NULL,
         status text NOT NULL DEFAULT 'open');
       CREATE TABLE bench_coverage (
         policy_id uuid NOT NULL REFERENCES bench_policy (id), kind text NOT NULL,
         amount numeric NOT NULL, PRIMARY KEY (policy_id, kind));
       INSERT INTO bench_quote (id, holder, premium)
         SELECT g, 'holder-' || g, 1000 + g % 500 FROM generate_series(1, ${QUOTES}) g;`,
    );
  } finally {
    await db.close();
  }
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Deletes every key under `prefix` (the Redis store's keys of this run). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
