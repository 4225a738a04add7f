import type { Message } from 'amqplib';
import { channelClosed, getAll, publishConfirmed, settle } from '../support/amqp';
import { conformance } from './support/harness';
import {
  Method,
  confirmSelect,
  exchangeDeclare,
  publishFrames,
  queueDeclare,
} from './support/methods';

// amqp-semantics.md §11: publishing to a missing exchange, mandatory returns and
// their order relative to the publisher confirm. (immediate=true -> 540 is in
// errors-and-close.test.ts.)
conformance('publish errors and returns', (c) => {
  it('closes the channel asynchronously with 404 on a publish to a missing exchange', async () => {
    const channel = await c.channel();
    const exchange = c.exchangeName();
    const closed = channelClosed(channel);
    expect(channel.publish(exchange, 'k', Buffer.from('x'))).toBe(true); // no RPC: the error comes later
    expect(await closed).toEqual({
      code: 404,
      text: `NOT_FOUND - no exchange '${exchange}' in vhost '/'`,
      classId: 60,
      methodId: 40,
    });
  });

  it('sends basic.return 312 NO_ROUTE, with the message, before the confirm ack', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    await raw.call(confirmSelect(1), 1, Method.confirmSelectOk);
    const queue = c.queueName();
    raw.write(publishFrames(1, '', queue, 'unroutable', { mandatory: true }));

    const returned = await raw.expectMethod(1, Method.basicReturn);
    expect({
      code: returned.short(),
      text: returned.shortstr(),
      exchange: returned.shortstr(),
      routingKey: returned.shortstr(),
    }).toEqual({ code: 312, text: 'NO_ROUTE', exchange: '', routingKey: queue });
    const header = await raw.readFrame();
    const body = await raw.readFrame();
    expect([header.type, body.type, body.payload.toString()]).toEqual([2, 3, 'unroutable']);
    const ack = await raw.expectMethod(1, Method.basicAck);
    expect(ack.longlong()).toBe(1n);
  });

  it("emits amqplib's 'return' before the publish callback", async () => {
    const channel = await c.confirmChannel();
    const events: string[] = [];
    channel.on('return', (m: Message) =>
      events.push(
        `return:${(m.fields as unknown as { replyCode: number }).replyCode}:${m.content.toString()}`,
      ),
    );
    await publishConfirmed(channel, '', c.queueName(), 'lost', { mandatory: true });
    events.push('confirmed');
    expect(events).toEqual(['return:312:lost', 'confirmed']);
  });

  it('acks an unroutable message without mandatory and returns nothing', async () => {
    const channel = await c.confirmChannel();
    const returned: Message[] = [];
    channel.on('return', (m: Message) => returned.push(m));
    await publishConfirmed(channel, '', c.queueName(), 'dropped');
    await settle(50);
    expect(returned).toEqual([]);
  });

  it('does not return a mandatory message that reached a queue', async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue();
    const returned: Message[] = [];
    channel.on('return', (m: Message) => returned.push(m));
    await publishConfirmed(channel, '', queue, 'kept', { mandatory: true });
    expect((await getAll(channel, queue)).map((m) => m.content.toString())).toEqual(['kept']);
    expect(returned).toEqual([]);
  });

  it('returns a mandatory message with the routing key it was published with', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    const exchange = c.exchangeName();
    // A fanout exchange with no bindings routes nowhere.
    await raw.call(exchangeDeclare(1, exchange, 'fanout'), 1, Method.exchangeDeclareOk);
    raw.write(publishFrames(1, exchange, 'some.key', 'x', { mandatory: true }));
    const returned = await raw.expectMethod(1, Method.basicReturn);
    returned.short();
    returned.shortstr();
    expect([returned.shortstr(), returned.shortstr()]).toEqual([exchange, 'some.key']);
    await raw.readFrame(); // content header
    await raw.readFrame(); // body
    // The channel stays usable.
    await raw.call(queueDeclare(1, '', { exclusive: true }), 1, Method.queueDeclareOk);
  });
});
