/**
 * The death history of a dead-lettered persistent message is the broker's own
 * (RabbitMQ 4 semantics, libs/broker/src/docs/queues.md): it must survive a kill -9
 * and keep accumulating afterwards, rather than being taken for headers a client
 * published (which the next death would start over). Real broker process, killed
 * and restarted on the same data directory, checked with amqplib.
 */
import { type Channel } from 'amqplib';
import { eventually } from '../support/eventually';
import { getEventually, publishConfirmed, xDeath } from '../support/amqp';
import { restartScene } from './support/restart-scene';

const Q1 = 'death-history.q1';
const Q2 = 'death-history.q2';
const SYNC = 'death-history.sync';

async function rejectOne(channel: Channel, queue: string): Promise<void> {
  channel.reject(await getEventually(channel, queue, { noAck: false }), false);
}

describe('death history across a kill -9 (real process)', () => {
  const scene = restartScene('death-history');

  it('deaths recorded before the kill still count on after the restart', async () => {
    const first = await scene.start(scene.dir);
    const channel = await (await scene.open(first.url)).createConfirmChannel();
    // Rejects ping-pong between the two queues through the default exchange.
    await channel.assertQueue(Q1, {
      durable: true,
      deadLetterExchange: '',
      deadLetterRoutingKey: Q2,
    });
    await channel.assertQueue(Q2, {
      durable: true,
      deadLetterExchange: '',
      deadLetterRoutingKey: Q1,
    });
    await channel.assertQueue(SYNC, { durable: true });
    await publishConfirmed(channel, '', Q1, 'survivor', { persistent: true });
    await rejectOne(channel, Q1); // dies in Q1, persisted in Q2 with its x-death
    await eventually(async () => expect((await channel.checkQueue(Q2)).messageCount).toBe(1));
    // The dead letter is appended without a confirm of its own; a later confirmed
    // append is synced with everything appended before it.
    await publishConfirmed(channel, '', SYNC, 'sync', { persistent: true });
    await first.kill9();

    const second = await scene.start(scene.dir);
    const after = await (await scene.open(second.url)).createChannel();
    // Q1's removal of the original is written lazily: a kill -9 may bring it back.
    await after.purgeQueue(Q1);
    const recovered = await getEventually(after, Q2, { noAck: false });
    expect(xDeath(recovered).map((e) => [e.queue, e.reason, e.count])).toEqual([
      [Q1, 'rejected', 1],
    ]);
    after.reject(recovered, false); // dies in Q2 -> Q1
    await rejectOne(after, Q1); // dies in Q1 again -> Q2
    const message = await getEventually(after, Q2);
    expect(xDeath(message).map((e) => [e.queue, e.reason, e.count])).toEqual([
      [Q1, 'rejected', 2],
      [Q2, 'rejected', 1],
    ]);
    expect(message.properties.headers).toMatchObject({
      'x-first-death-queue': Q1,
      'x-last-death-queue': Q1,
    });
    expect(message.content.toString()).toBe('survivor');
  }, 60_000);
});
