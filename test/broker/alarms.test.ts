import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { within } from '../support/amqp';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';

/** A memory watermark no test process reaches, so only the disk alarm is in play. */
const NO_MEMORY_ALARM = 1024 ** 4;

describe('embedded broker resource alarms', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-alarms-'));
  });

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('blocks publishers with "low on disk" while free disk is under the limit and confirms the held publish once the limit is lowered', async () => {
    const fs = await statfs(dataDir);
    const free = fs.bavail * fs.bsize;
    broker = await EmbeddedBroker.start({
      port: 0,
      dataDir,
      // twice the free space of the data dir's file system: the alarm is raised at start
      config: { diskFreeLimit: free * 2, memoryHighWatermark: NO_MEMORY_ALARM },
    });
    const alarm = broker.broker.alarm;
    await eventually(() => expect(alarm.active).toEqual(['disk']));
    expect(broker.broker.blockReason).toBe('low on disk');

    const connection = await amqp.connect(broker.url);
    const events: string[] = [];
    connection.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    connection.on('unblocked', () => events.push('unblocked'));
    try {
      const channel = await connection.createConfirmChannel();
      const queue = uniqueName('alarms.disk');
      await channel.assertQueue(queue, { durable: true });
      const confirmed: string[] = [];
      const publish = (body: string) =>
        new Promise<void>((resolve, reject) =>
          channel.sendToQueue(queue, Buffer.from(body), { persistent: true }, (error) => {
            if (error) return reject(new Error(`publish of ${body} was nacked`));
            confirmed.push(body);
            resolve();
          }),
        );

      const first = publish('meets the alarm');
      await eventually(() => expect(events).toEqual(['blocked:low on disk']));
      // RabbitMQ takes the publish that meets the alarm, then stops reading the connection
      await within(first, 'confirm of the publish that met the alarm');
      const held = publish('held back');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stored = () => broker!.broker.vhost('/')!.queues.get(queue)!.messageCount;
      expect(stored()).toBe(1);
      expect(confirmed).toEqual(['meets the alarm']);

      // both alarms at once read as RabbitMQ words it
      alarm.setMemoryHighWatermark(1);
      await eventually(() => expect(broker!.broker.blockReason).toBe('low on memory & disk'));
      alarm.setMemoryHighWatermark(NO_MEMORY_ALARM);
      await eventually(() => expect(alarm.active).toEqual(['disk']));

      alarm.setDiskFreeLimit(1);
      await eventually(() => expect(events).toEqual(['blocked:low on disk', 'unblocked']));
      await within(held, 'confirm of the publish held during the block');
      expect(confirmed).toEqual(['meets the alarm', 'held back']);
      expect(stored()).toBe(2);
      expect(alarm.active).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it('tells a connection opened during a disk alarm that it is blocked once it publishes', async () => {
    broker = await EmbeddedBroker.start({
      port: 0,
      dataDir,
      config: { diskFreeLimit: Number.MAX_SAFE_INTEGER, memoryHighWatermark: NO_MEMORY_ALARM },
    });
    await eventually(() => expect(broker!.broker.alarm.active).toEqual(['disk']));
    const connection = await amqp.connect(broker.url);
    const events: string[] = [];
    connection.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    connection.on('unblocked', () => events.push('unblocked'));
    try {
      const channel = await connection.createChannel();
      // a connection that only declares is not blocked (RabbitMQ blocks publishers)
      const queue = (await channel.assertQueue('', { exclusive: true })).queue;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events).toEqual([]);
      channel.sendToQueue(queue, Buffer.from('x'));
      await eventually(() => expect(events).toEqual(['blocked:low on disk']));
      // 0 turns the disk check off, which clears the alarm
      broker.broker.alarm.setDiskFreeLimit(0);
      await eventually(() => expect(events).toEqual(['blocked:low on disk', 'unblocked']));
    } finally {
      await connection.close();
    }
  });

  it('refuses a negative disk free limit with an error naming it', async () => {
    broker = await EmbeddedBroker.start({ port: 0, dataDir });
    expect(() => broker!.broker.alarm.setDiskFreeLimit(-1)).toThrow(
      'disk free limit must be a non-negative number of bytes, got -1',
    );
    expect(broker.broker.alarm.diskFreeLimit).toBe(50_000_000);
  });
});
