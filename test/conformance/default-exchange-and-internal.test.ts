import { channelClosed, channelError, getEventually } from '../support/amqp';
import { conformance } from './support/harness';

const DEFAULT_EXCHANGE_REFUSED = 'ACCESS_REFUSED - operation not permitted on the default exchange';

// amqp-semantics.md §9: the default exchange, internal exchanges, amq.* exchanges.
conformance('default exchange and internal exchanges', (c) => {
  it('routes to every queue by its name through the default exchange', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    channel.publish('', queue, Buffer.from('by-name'));
    const message = await getEventually(channel, queue);
    expect(message.content.toString()).toBe('by-name');
    expect(message.fields).toMatchObject({ exchange: '', routingKey: queue });
  });

  it('refuses to bind a queue to the default exchange (403)', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    expect(await channelError(channel, () => channel.bindQueue(queue, '', 'key'))).toEqual({
      code: 403,
      text: DEFAULT_EXCHANGE_REFUSED,
      classId: 50,
      methodId: 20,
    });
  });

  it('refuses to unbind a queue from the default exchange (403)', async () => {
    const channel = await c.channel();
    const queue = await c.queue();
    expect(await channelError(channel, () => channel.unbindQueue(queue, '', queue))).toEqual({
      code: 403,
      text: DEFAULT_EXCHANGE_REFUSED,
      classId: 50,
      methodId: 50,
    });
  });

  it('refuses to delete the default exchange (403)', async () => {
    const channel = await c.channel();
    expect(await channelError(channel, () => channel.deleteExchange(''))).toEqual({
      code: 403,
      text: DEFAULT_EXCHANGE_REFUSED,
      classId: 40,
      methodId: 20,
    });
  });

  it('refuses to delete the standard amq.* exchanges (403)', async () => {
    const channel = await c.channel();
    expect(await channelError(channel, () => channel.deleteExchange('amq.direct'))).toEqual({
      code: 403,
      text: "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
      classId: 40,
      methodId: 20,
    });
    await expect((await c.channel()).checkExchange('amq.direct')).resolves.toBeDefined();
  });

  it('refuses a publish to an internal exchange (403, channel closed asynchronously)', async () => {
    const channel = await c.channel();
    const internal = await c.exchange('fanout', { internal: true, autoDelete: false });
    const closed = channelClosed(channel);
    channel.publish(internal, '', Buffer.from('nope'));
    expect(await closed).toEqual({
      code: 403,
      text: `ACCESS_REFUSED - cannot publish to internal exchange '${internal}' in vhost '/'`,
      classId: 60,
      methodId: 40,
    });
  });

  it('still routes into an internal exchange through an exchange-to-exchange binding', async () => {
    const channel = await c.channel();
    const front = await c.exchange('fanout');
    const internal = await c.exchange('fanout', { internal: true });
    const queue = await c.queue();
    await channel.bindExchange(internal, front, '');
    await channel.bindQueue(queue, internal, '');
    channel.publish(front, '', Buffer.from('through'));
    expect((await getEventually(channel, queue)).content.toString()).toBe('through');
  });
});
