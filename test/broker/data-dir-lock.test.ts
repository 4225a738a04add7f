/**
 * One broker per data directory, with real processes: a second broker on a directory
 * in use refuses to start (naming the directory and the pid that holds it) while the
 * first keeps serving; after a kill -9 the lock left behind is taken over; a clean stop
 * removes it.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import {
  startBrokerChild,
  startBrokerChildExpectingFailure,
  type BrokerChild,
} from './support/broker-child';

const QUEUE = 'lock.still-serving';

/**
 * Publishes one persistent message and drains the queue: the broker works when the
 * message comes back. (A message read before a kill -9 may come back too: acks are
 * not fsync'd, at-least-once.)
 */
async function roundTrip(url: string, text: string): Promise<string[]> {
  const connection = await connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(QUEUE, { durable: true });
    channel.sendToQueue(QUEUE, Buffer.from(text), { persistent: true });
    await channel.waitForConfirms();
    const got: string[] = [];
    for (;;) {
      const message = await channel.get(QUEUE, { noAck: true });
      if (message === false) return got;
      got.push(message.content.toString());
    }
  } finally {
    await connection.close();
  }
}

describe('broker data directory lock (real processes)', () => {
  let dataDir: string;
  const running: BrokerChild[] = [];
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'surety-lock-'))));
  afterEach(async () => {
    for (const broker of running.splice(0)) await broker.kill9();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second broker on a directory in use; the first keeps serving', async () => {
    const first = await startBrokerChild(dataDir);
    running.push(first);
    expect(await roundTrip(first.url, 'before')).toEqual(['before']);

    const second = await startBrokerChildExpectingFailure(dataDir);
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain('listening');
    expect(second.stderr).toContain(`data directory ${dataDir} is in use by another broker`);
    expect(second.stderr).toContain(`process ${first.pid} holds ${join(dataDir, 'LOCK')}`);

    expect(await roundTrip(first.url, 'after')).toEqual(['after']);
    expect((await readFile(join(dataDir, 'LOCK'), 'utf8')).split('\n')[0]).toBe(String(first.pid));
  }, 120_000);

  it('takes over the lock of a broker killed with -9, and a clean stop removes it', async () => {
    const first = await startBrokerChild(dataDir);
    running.push(first);
    expect(await roundTrip(first.url, 'one')).toEqual(['one']);
    await first.kill9();
    // the dead broker's lock is still there...
    expect((await readFile(join(dataDir, 'LOCK'), 'utf8')).split('\n')[0]).toBe(String(first.pid));

    // ...and does not keep the next one out
    const second = await startBrokerChild(dataDir);
    running.push(second);
    expect((await readFile(join(dataDir, 'LOCK'), 'utf8')).split('\n')[0]).toBe(String(second.pid));
    expect(await roundTrip(second.url, 'two')).toContain('two');

    expect(await second.stop()).toBe(0);
    await expect(stat(join(dataDir, 'LOCK'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);
});
