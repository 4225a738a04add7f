/**
 * queue.purge removes the ready messages only (AMQP, RabbitMQ); an unacknowledged one
 * stays with its consumer. Proven across kill -9 with a real broker process: a message
 * delivered-unacked during the purge and requeued afterwards (its channel closed) is
 * back after the restart, the purged ones are not — in memory and with the queue's
 * backlog paged out to disk (a tiny memory budget).
 */
import { join } from 'node:path';
import { type ConsumeMessage } from 'amqplib';
import { eventually } from '../support/eventually';
import { type BrokerChild } from './support/broker-child';
import { ackEntriesOnDisk, restartScene } from './support/restart-scene';

const QUEUE = 'purge.recovery';

async function pagedCount(broker: BrokerChild): Promise<number> {
  const url = await eventually(() => {
    const found = broker.managementUrl();
    if (found === undefined) throw new Error('management API not up yet');
    return found;
  });
  const response = await fetch(`${url}/metrics`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  const text = await response.text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`surety_queue_messages_paged{vhost="/",queue="${QUEUE}"}`));
  return Number(line?.split(' ').pop() ?? NaN);
}

describe('purge keeps unacked messages across kill -9 (real process)', () => {
  const scene = restartScene('purge');

  it.each([
    { name: 'in memory', count: 5, budget: undefined },
    { name: 'paged out to disk', count: 400, budget: 64 * 1024 },
  ])(
    '$name: the requeued message survives, the purged ones do not',
    async (scenario) => {
      const dataDir = join(scene.dir, 'data');
      const config =
        scenario.budget === undefined ? undefined : { messageMemoryBudget: scenario.budget };
      const first = await scene.start(dataDir, { config, management: true });
      const connection = await scene.open(first.url);
      const publisher = await connection.createConfirmChannel();
      await publisher.assertQueue(QUEUE, { durable: true });
      const body = (i: number) => Buffer.from(`m${i} `.padEnd(1024, '.'));
      for (let i = 0; i < scenario.count; i++) {
        publisher.sendToQueue(QUEUE, body(i), { persistent: true, messageId: `m${i}` });
      }
      await publisher.waitForConfirms();
      if (scenario.budget !== undefined) {
        // the backlog really is on disk: the purge must release paged records too
        await eventually(async () => expect(await pagedCount(first)).toBeGreaterThan(300));
      }

      const consumerChannel = await connection.createChannel();
      await consumerChannel.prefetch(1);
      const delivered: ConsumeMessage[] = [];
      await consumerChannel.consume(QUEUE, (m) => m && delivered.push(m), { noAck: false });
      await eventually(() => expect(delivered).toHaveLength(1));
      expect(delivered[0]!.properties.messageId).toBe('m0');

      const admin = await connection.createChannel();
      expect(await admin.purgeQueue(QUEUE)).toEqual({ messageCount: scenario.count - 1 });
      await consumerChannel.close(); // m0 goes back to the queue, redelivered
      await eventually(async () => expect((await admin.checkQueue(QUEUE)).messageCount).toBe(1));
      // The purge's removals are written without fsync, like acks: wait until they reached
      // the file (kill -9 keeps the page cache), or a purged message could rightly return.
      await eventually(async () =>
        expect(await ackEntriesOnDisk(dataDir)).toBeGreaterThanOrEqual(scenario.count - 1),
      );

      await first.kill9();
      const second = await scene.start(dataDir, { config });
      const after = await (await scene.open(second.url)).createChannel();
      const ids: string[] = [];
      for (;;) {
        const message = await after.get(QUEUE, { noAck: true });
        if (message === false) break;
        ids.push(String(message.properties.messageId));
        expect(message.content).toEqual(body(0));
      }
      expect(ids).toEqual(['m0']);
    },
    120_000,
  );
});
