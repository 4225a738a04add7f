import { channelError, publishConfirmed, settle } from '../support/amqp';
import { eventually } from '../support/eventually';
import { type Conformance, conformance } from './support/harness';

/**
 * Waits until the queue is gone. A passive declare would count as a use and
 * restart the countdown, so this probes with mandatory publishes instead: a
 * publish is not a use, and a missing queue makes the message come back.
 */
async function gone(c: Conformance, queue: string, timeoutMs = 5_000): Promise<void> {
  const channel = await c.confirmChannel();
  let returned = false;
  channel.on('return', () => (returned = true));
  await eventually(
    async () => {
      await publishConfirmed(channel, '', queue, 'probe', { mandatory: true });
      expect(returned).toBe(true);
    },
    { timeoutMs, intervalMs: 100 },
  );
}

// amqp-semantics.md §20: x-expires.
conformance('queue expiry (x-expires)', (c) => {
  it('deletes a queue left unused for x-expires ms', async () => {
    const queue = await c.queue({ expires: 200 });
    await gone(c, queue);
  });

  it('does not delete a queue while it has a consumer', async () => {
    const queue = await c.queue({ expires: 200 });
    const channel = await c.channel();
    const { consumerTag } = await channel.consume(queue, () => undefined);
    await settle(600);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ consumerCount: 1 });
    await channel.cancel(consumerTag); // unused again from now on
    await gone(c, queue);
  });

  it('restarts the countdown on redeclare and on basic.get', async () => {
    const queue = await c.queue({ expires: 400 });
    const channel = await c.channel();
    for (let i = 0; i < 4; i++) {
      await settle(200);
      if (i % 2 === 0) await channel.assertQueue(queue, { expires: 400 });
      else await channel.get(queue);
    }
    // 800ms after declaring, well past one x-expires: still there thanks to the uses.
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
    await gone(c, queue);
  });

  it('rejects x-expires 0 (406)', async () => {
    const channel = await c.channel();
    const queue = c.queueName();
    expect(await channelError(channel, () => channel.assertQueue(queue, { expires: 0 }))).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - invalid arg 'x-expires' for queue '${queue}' in vhost '/': {value_zero,0}`,
      classId: 50,
      methodId: 10,
    });
  });
});
