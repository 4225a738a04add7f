import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';

/** Resolves with the server's close code/text when the channel is closed by an error. */
function channelError(channel: amqp.Channel): Promise<{ code: number; message: string }> {
  return new Promise((resolve) =>
    channel.once('error', (e: { code: number; message: string }) => resolve(e)),
  );
}

describe('embedded broker server', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-server-'));
  });

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('users, vhosts and permissions from a config file', () => {
    const config = {
      users: [
        { name: 'alice', password: 'alice-secret' },
        { name: 'reader', password: 'reader-secret' },
      ],
      vhosts: ['/', 'orders'],
      permissions: [
        { user: 'alice', vhost: '/', configure: '.*', write: '.*', read: '.*' },
        { user: 'alice', vhost: 'orders', configure: '^orders\\.', write: '.*', read: '.*' },
        { user: 'reader', vhost: '/', configure: '^$', write: '^$', read: '.*' },
      ],
    };

    beforeEach(async () => {
      const file = join(dataDir, 'broker.json');
      await writeFile(file, JSON.stringify(config));
      broker = await EmbeddedBroker.start({
        port: 0,
        dataDir: join(dataDir, 'data'),
        configFile: file,
      });
    });

    const urlFor = (user: string, password: string, vhost = '/') =>
      `amqp://${user}:${password}@127.0.0.1:${broker!.port}/${encodeURIComponent(vhost)}`;

    it('refuses guest (not configured) and a wrong password with 403', async () => {
      await expect(amqp.connect(urlFor('guest', 'guest'))).rejects.toThrow(/ACCESS_REFUSED|403/);
      await expect(amqp.connect(urlFor('alice', 'wrong'))).rejects.toThrow(/ACCESS_REFUSED|403/);
    });

    it('lets a configured user in and applies configure/write/read regexes per vhost', async () => {
      const alice = await amqp.connect(urlFor('alice', 'alice-secret', 'orders'));
      try {
        const channel = await alice.createChannel();
        await expect(channel.assertQueue('orders.created')).resolves.toMatchObject({
          queue: 'orders.created',
        });
        const refused = channelError(channel);
        channel.assertQueue('billing.created').catch(() => undefined);
        expect((await refused).message).toMatch(
          /ACCESS_REFUSED - configure access to queue 'billing.created' in vhost 'orders' refused for user 'alice'/,
        );
      } finally {
        await alice.close();
      }
    });

    it('lets a read-only user consume but not publish, and refuses a vhost it has no permission on (530)', async () => {
      const admin = await amqp.connect(urlFor('alice', 'alice-secret'));
      const queue = uniqueName('server.readonly');
      const adminChannel = await admin.createConfirmChannel();
      await adminChannel.assertQueue(queue);
      adminChannel.sendToQueue(queue, Buffer.from('for the reader'));
      await adminChannel.waitForConfirms();
      const reader = await amqp.connect(urlFor('reader', 'reader-secret'));
      try {
        const channel = await reader.createChannel();
        const got = await channel.get(queue, { noAck: true });
        expect(got && got.content.toString()).toBe('for the reader');
        const refused = channelError(channel);
        channel.publish('', queue, Buffer.from('nope'));
        expect((await refused).message).toMatch(
          /ACCESS_REFUSED - write access to exchange 'amq.default'/,
        );
        // amqplib reports the refused connection.open as an unexpected connection.close
        await expect(amqp.connect(urlFor('reader', 'reader-secret', 'orders'))).rejects.toThrow(
          /ConnectionClose/,
        );
      } finally {
        await reader.close().catch(() => undefined);
        await admin.close();
      }
    });
  });

  it('listens on IPv6 loopback on the same port as IPv4', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    const connection = await amqp.connect(`amqp://[::1]:${broker.port}`);
    try {
      const channel = await connection.createChannel();
      const ok = await channel.assertQueue('', { exclusive: true });
      expect(ok.queue).toMatch(/^amq\.gen-/);
    } finally {
      await connection.close();
    }
  });

  it('blocks publishers with connection.blocked above the memory high watermark and unblocks when it clears', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir, config: { memoryHighWatermark: 1 } });
    const connection = await amqp.connect(broker.url);
    const events: string[] = [];
    connection.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    connection.on('unblocked', () => events.push('unblocked'));
    try {
      const channel = await connection.createChannel();
      const queue = uniqueName('server.blocked');
      await channel.assertQueue(queue);
      channel.sendToQueue(queue, Buffer.from('meets the alarm'));
      await eventually(() => expect(events).toEqual(['blocked:low on memory']));
      // the publish that met the alarm is taken; the connection is not read after it
      const vhost = broker.broker.vhost('/')!;
      expect(vhost.queues.get(queue)!.messageCount).toBe(1);
      channel.sendToQueue(queue, Buffer.from('held back'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(vhost.queues.get(queue)!.messageCount).toBe(1);

      broker.broker.alarm.setMemoryHighWatermark(1024 ** 4);
      await eventually(() => expect(events).toEqual(['blocked:low on memory', 'unblocked']));
      await eventually(() => expect(vhost.queues.get(queue)!.messageCount).toBe(2));
    } finally {
      await connection.close();
    }
  });

  it('CLI prints exactly one listening line and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'libs/broker/src/cli.ts', '--port', '0', '--data-dir', dataDir],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      const line = await eventually(
        () => {
          const match = /^surety broker listening on (amqp:\/\/\S+)\n$/.exec(stdout);
          if (match === null) throw new Error(`no listening line yet: ${JSON.stringify(stdout)}`);
          return match[1]!;
        },
        { timeoutMs: 20_000 },
      );
      const connection = await amqp.connect(line);
      await connection.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
