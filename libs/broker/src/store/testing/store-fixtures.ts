/** Helpers for the store's specs (test-only; not exported by index.ts). */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStore } from '../file-store';
import type {
  BindingDefinition,
  DurableStore,
  ExchangeDefinition,
  PersistedMessage,
  QueueDefinition,
  StoreLogger,
} from '../types';

/** A logger that keeps what it was told, so specs can assert a problem was reported. */
export class CapturingLogger implements StoreLogger {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.errors.push(message);
  }
}

export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'surety-store-spec-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function openStore(
  dataDir: string,
  options: { segmentSize?: number; logger?: StoreLogger } = {},
): Promise<{ store: DurableStore; state: Awaited<ReturnType<DurableStore['open']>> }> {
  const store = openFileStore({ dataDir, logger: new CapturingLogger(), ...options });
  const state = await store.open();
  return { store, state };
}

export function queueDef(name: string, vhost = '/'): QueueDefinition {
  return {
    vhost,
    name,
    durable: true,
    autoDelete: false,
    exclusive: false,
    arguments: Buffer.from([0, 0, 0, 0]),
  };
}

export function exchangeDef(name: string, vhost = '/'): ExchangeDefinition {
  return {
    vhost,
    name,
    type: 'topic',
    durable: true,
    autoDelete: false,
    internal: false,
    arguments: Buffer.from([0, 0, 0, 3, 1, 2, 3]),
  };
}

export function bindingDef(source: string, queue: string, routingKey = '#'): BindingDefinition {
  return {
    vhost: '/',
    source,
    destination: queue,
    destinationKind: 'queue',
    routingKey,
    arguments: Buffer.alloc(0),
  };
}

/** A message whose bytes identify it, so recovery can be checked byte for byte. */
export function message(id: number, bodySize = 100): PersistedMessage {
  const body = Buffer.alloc(bodySize);
  for (let i = 0; i < bodySize; i++) body[i] = (id * 31 + i) & 0xff;
  body.writeUInt32BE(id >>> 0, 0);
  return {
    exchange: 'policy.events',
    routingKey: `policy.issued.${id}`,
    header: Buffer.from(`header-${id}`),
    body,
  };
}

export function messagesDir(dataDir: string): string {
  return join(dataDir, 'messages');
}

export async function listFiles(dir: string, suffix: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(suffix)).sort();
}

export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/** Polls until `check` stops throwing (removals are flushed in the background). */
export async function waitFor(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
