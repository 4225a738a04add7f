import type { ConsumeMessage } from 'amqplib';
import { bodies, publishConfirmed, within } from '../support/amqp';
import { conformance } from './support/harness';

// basic.consume no-local. AMQP 0-9-1 says a no-local consumer does not receive
// what its own connection published, but RabbitMQ does not implement it: its
// "Compatibility and Conformance" page (rabbitmq.com/specification.html,
// basic.consume: partial) says the parameter is ignored and nothing keeps a
// consumer from receiving messages published on the same connection. Clients
// follow that (the Java client's Javadoc warns about it), so the embedded broker
// accepts the flag and ignores it too; both targets are asserted alike here.
conformance('no-local', (c) => {
  /** Consumes with no-local set and resolves with the first `count` deliveries. */
  async function noLocalConsumer(
    channel: Awaited<ReturnType<typeof c.channel>>,
    queue: string,
    count: number,
  ): Promise<() => Promise<ConsumeMessage[]>> {
    const received: ConsumeMessage[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        received.push(message);
        if (received.length === count) done();
      },
      { noLocal: true, noAck: true },
    );
    return async () => {
      await within(all, `${count} delivery(ies) to the no-local consumer of '${queue}'`);
      return received;
    };
  }

  it("delivers a channel's own publish to its no-local consumer", async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue();
    const deliveries = await noLocalConsumer(channel, queue, 1);
    await publishConfirmed(channel, '', queue, 'own');
    expect(bodies(await deliveries())).toEqual(['own']);
  });

  it('delivers what another channel of the same connection publishes through an exchange', async () => {
    const connection = await c.connect();
    const consuming = await connection.createChannel();
    const publishing = await connection.createConfirmChannel();
    const exchange = await c.exchange('fanout');
    const queue = await c.queue();
    await consuming.bindQueue(queue, exchange, '');
    const deliveries = await noLocalConsumer(consuming, queue, 2);
    await publishConfirmed(publishing, exchange, '', 'first');
    await publishConfirmed(publishing, exchange, '', 'second');
    expect(bodies(await deliveries())).toEqual(['first', 'second']);
  });
});
