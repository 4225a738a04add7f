/**
 * End to end through the real broker process: publisher confirms mean "on disk".
 * A persistent, confirmed stream goes to a durable queue; the broker is kill -9'd
 * mid-stream and restarted on the same data dir; every confirmed message must be
 * there (unconfirmed ones may or may not), transient messages and non-durable queues
 * must not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'libs', 'broker', 'src', 'cli.ts');
const DURABLE = 'durability.stream';
const TRANSIENT_QUEUE = 'durability.non-durable';

interface RunningBroker {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts the broker CLI on an ephemeral port; resolves with the URL it prints. */
function startBroker(dataDir: string): Promise<RunningBroker> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', CLI, '--port', '0', '--data-dir', dataDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /amqp:\/\/\S+/.exec(output)?.[0];
      if (url) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining later log lines
        resolve({ url, child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`broker exited before printing its URL (${code ?? signal}): ${output}`)),
    );
  });
}

function body(id: number): Buffer {
  return Buffer.from(`persistent message ${id} `.repeat(1 + (id % 9)));
}

/** Publishes a persistent stream, recording ids the broker confirmed, until the connection dies. */
async function publishUntilKilled(
  channel: ConfirmChannel,
  confirmed: number[],
  killAfter: number,
  kill: () => void,
): Promise<void> {
  let outstanding = 0;
  let dead = false;
  let killed = false;
  channel.on('error', () => (dead = true));
  channel.on('close', () => (dead = true));
  for (let id = 0; !dead; id++) {
    outstanding++;
    try {
      channel.publish('', DURABLE, body(id), { persistent: true, messageId: String(id) }, (err) => {
        outstanding--;
        if (err === null || err === undefined) confirmed.push(id);
        if (!killed && confirmed.length >= killAfter) {
          killed = true;
          kill();
        }
      });
    } catch {
      dead = true; // amqplib refuses to publish on a channel it already knows is closed
    }
    while (outstanding >= 500 && !dead) await new Promise((resolve) => setTimeout(resolve, 1));
    if (id % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('broker durability across kill -9', () => {
  let dataDir: string;
  const brokers: RunningBroker[] = [];
  const connections: ChannelModel[] = [];
  beforeAll(async () => (dataDir = await mkdtemp(join(tmpdir(), 'surety-durability-'))));
  afterAll(async () => {
    for (const c of connections) await c.close().catch(() => undefined);
    for (const b of brokers) {
      b.child.kill('SIGKILL');
      await b.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<ChannelModel> {
    const connection = await connect(url);
    connection.on('error', () => undefined); // the kill is expected
    connections.push(connection);
    return connection;
  }

  it('keeps every confirmed persistent message and drops transient state', async () => {
    const first = await startBroker(dataDir);
    brokers.push(first);
    const connection = await open(first.url);
    const setup = await connection.createConfirmChannel();
    await setup.assertQueue(DURABLE, { durable: true });
    await setup.assertQueue(TRANSIENT_QUEUE, { durable: false });
    for (let i = 0; i < 50; i++) {
      setup.publish('', DURABLE, Buffer.from(`transient ${i}`), {
        persistent: false,
        messageId: `transient-${i}`,
      });
      setup.publish('', TRANSIENT_QUEUE, Buffer.from(`p ${i}`), { persistent: true });
    }
    await setup.waitForConfirms();

    const confirmed: number[] = [];
    const killAfter = 2000 + Math.floor(Math.random() * 6000);
    const stream = await connection.createConfirmChannel();
    await publishUntilKilled(stream, confirmed, killAfter, () => first.child.kill('SIGKILL'));
    await first.exited;
    expect(confirmed.length).toBeGreaterThanOrEqual(killAfter);

    const second = await startBroker(dataDir);
    brokers.push(second);
    const after = await open(second.url);
    const channel = await after.createChannel();
    const ids: string[] = [];
    const bodies = new Map<string, Buffer>();
    for (;;) {
      const message = await channel.get(DURABLE, { noAck: true });
      if (message === false) break;
      ids.push(String(message.properties.messageId));
      bodies.set(String(message.properties.messageId), message.content);
    }

    expect(ids.filter((id) => id.startsWith('transient-'))).toEqual([]);
    const recovered = ids.map(Number);
    expect(new Set(recovered).size).toBe(recovered.length); // no duplicates
    expect(recovered).toEqual([...recovered].sort((a, b) => a - b)); // publish order
    const have = new Set(recovered);
    expect(confirmed.filter((id) => !have.has(id))).toEqual([]);
    for (const id of recovered) expect(bodies.get(String(id))).toEqual(body(id));

    const probe = await after.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue(TRANSIENT_QUEUE)).rejects.toThrow(/404/);
  }, 120_000);
});
