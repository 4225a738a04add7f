import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import { startBrokerChild, type BrokerChild, type BrokerChildOptions } from './broker-child';

export interface RestartScene {
  /** A fresh temporary directory for the current test (removed after it). */
  readonly dir: string;
  /** Starts a broker process on `dataDir`; it is killed -9 after the test if still up. */
  start(dataDir: string, options?: BrokerChildOptions): Promise<BrokerChild>;
  /** An amqplib connection closed after the test; its errors are expected (the broker dies under it). */
  open(url: string): Promise<ChannelModel>;
}

/**
 * What a test that stops and restarts a real broker process needs, set up before and
 * cleaned up after each test of the enclosing describe: a temporary directory, the
 * broker processes and the client connections.
 */
export function restartScene(prefix: string): RestartScene {
  const brokers: BrokerChild[] = [];
  const connections: ChannelModel[] = [];
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `surety-${prefix}-`));
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close().catch(() => undefined);
    for (const b of brokers.splice(0)) await b.kill9();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async start(dataDir, options) {
      const broker = await startBrokerChild(dataDir, options);
      brokers.push(broker);
      return broker;
    },
    async open(url) {
      const connection = await connect(url);
      connection.on('error', () => undefined);
      connections.push(connection);
      return connection;
    },
  };
}

/** Ack-file entries (removals and delivery marks) on disk: 8 bytes each. */
export async function ackEntriesOnDisk(dataDir: string): Promise<number> {
  const dir = join(dataDir, 'messages');
  let bytes = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith('.ack')) bytes += (await stat(join(dir, name))).size;
  }
  return bytes / 8;
}
