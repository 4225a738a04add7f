import { channelError, connectionClosed } from '../support/amqp';
import { conformance } from './support/harness';

const integer = (type: 'byte' | 'short' | 'int' | 'long', value: number) => ({ '!': type, value });

// amqp-semantics.md §6: redeclare equivalence, passive declares, reserved names.
conformance('declare equivalence', (c) => {
  it('rejects a queue redeclared with a different durable flag (406, exact text)', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ durable: false });
    expect(
      await channelError(channel, () => channel.assertQueue(queue, { durable: true })),
    ).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${queue}' in vhost '/': received 'true' but current is 'false'`,
      classId: 50,
      methodId: 10,
    });
  });

  it('rejects a queue redeclared with a different auto_delete flag', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ autoDelete: false });
    expect(
      (await channelError(channel, () => channel.assertQueue(queue, { autoDelete: true }))).text,
    ).toBe(
      `PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue '${queue}' in vhost '/': received 'true' but current is 'false'`,
    );
  });

  it('rejects a queue redeclared with a different argument value', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ arguments: { 'x-max-length': 10 } });
    expect(
      (
        await channelError(channel, () =>
          channel.assertQueue(queue, { arguments: { 'x-max-length': 20 } }),
        )
      ).text,
    ).toBe(
      `PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '${queue}' in vhost '/': received '20' but current is '10'`,
    );
  });

  it('rejects a queue redeclared without an argument it was declared with', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ arguments: { 'x-max-length': 10 } });
    expect((await channelError(channel, () => channel.assertQueue(queue))).text).toBe(
      `PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '${queue}' in vhost '/': received none but current is the value '10' of type 'byte'`,
    );
  });

  it('treats integer argument types b/s/I/l as equal when their values are', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ arguments: { 'x-max-length': integer('byte', 100) } });
    for (const type of ['short', 'int', 'long'] as const) {
      const ok = await channel.assertQueue(queue, {
        arguments: { 'x-max-length': integer(type, 100) },
      });
      expect(ok.queue).toBe(queue);
    }
  });

  it('accepts an identical redeclare and reports the same queue', async () => {
    const channel = await c.channel();
    const queue = await c.queue({ durable: true, arguments: { 'x-message-ttl': 60_000 } });
    await expect(
      channel.assertQueue(queue, { durable: true, arguments: { 'x-message-ttl': 60_000 } }),
    ).resolves.toEqual({
      queue,
      messageCount: 0,
      consumerCount: 0,
    });
  });

  it('rejects an exchange redeclared with a different type', async () => {
    const channel = await c.channel();
    const exchange = await c.exchange('direct');
    expect(await channelError(channel, () => channel.assertExchange(exchange, 'fanout'))).toEqual({
      code: 406,
      text: `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${exchange}' in vhost '/': received 'fanout' but current is 'direct'`,
      classId: 40,
      methodId: 10,
    });
  });

  it('rejects an exchange redeclared with a different durable flag', async () => {
    const channel = await c.channel();
    const exchange = await c.exchange('topic', { durable: false });
    expect(
      (
        await channelError(channel, () =>
          channel.assertExchange(exchange, 'topic', { durable: true }),
        )
      ).text,
    ).toBe(
      `PRECONDITION_FAILED - inequivalent arg 'durable' for exchange '${exchange}' in vhost '/': received 'true' but current is 'false'`,
    );
  });

  it('answers a passive declare of a missing queue with 404', async () => {
    const channel = await c.channel();
    const queue = c.queueName();
    expect(await channelError(channel, () => channel.checkQueue(queue))).toEqual({
      code: 404,
      text: `NOT_FOUND - no queue '${queue}' in vhost '/'`,
      classId: 50,
      methodId: 10,
    });
  });

  it('answers a passive declare of a missing exchange with 404', async () => {
    const channel = await c.channel();
    const exchange = c.exchangeName();
    expect(await channelError(channel, () => channel.checkExchange(exchange))).toEqual({
      code: 404,
      text: `NOT_FOUND - no exchange '${exchange}' in vhost '/'`,
      classId: 40,
      methodId: 10,
    });
  });

  it('refuses to declare a queue named amq.* (403)', async () => {
    const channel = await c.channel();
    expect(await channelError(channel, () => channel.assertQueue('amq.mine'))).toEqual({
      code: 403,
      text: "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'",
      classId: 50,
      methodId: 10,
    });
  });

  it('refuses to declare an exchange named amq.* (403) but allows passive checks of the standard ones', async () => {
    const channel = await c.channel();
    for (const name of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) {
      await expect(channel.checkExchange(name)).resolves.toBeDefined();
    }
    expect(await channelError(channel, () => channel.assertExchange('amq.mine', 'direct'))).toEqual(
      {
        code: 403,
        text: "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'",
        classId: 40,
        methodId: 10,
      },
    );
  });

  if (c.target.name === 'rabbitmq') {
    // RabbitMQ 3.10 (the local reference) treats an unknown exchange type as a
    // connection error 503. RabbitMQ 4 made it a 406 channel error; the
    // embedded broker follows RabbitMQ 4 (see the embedded variant below).
    it('rejects an unknown exchange type (RabbitMQ 3.10: 503 connection error)', async () => {
      const connection = await c.connect();
      const closed = connectionClosed(connection);
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await expect(channel.assertExchange(c.exchangeName(), 'no-such-type')).rejects.toBeDefined();
      expect(await closed).toEqual({
        code: 503,
        text: "COMMAND_INVALID - unknown exchange type 'no-such-type'",
      });
    });
  } else {
    it('rejects an unknown exchange type (RabbitMQ 4: 406 channel error)', async () => {
      const channel = await c.channel();
      expect(
        await channelError(channel, () => channel.assertExchange(c.exchangeName(), 'no-such-type')),
      ).toEqual({
        code: 406,
        text: "PRECONDITION_FAILED - unknown exchange type 'no-such-type'",
        classId: 40,
        methodId: 10,
      });
    });
  }
});
