import type { Channel, GetMessage } from 'amqplib';
import { getAll, getEventually, publishConfirmed, settle, xDeath } from '../support/amqp';
import { type Conformance, conformance } from './support/harness';
import { Method, basicGet, queueDeclare } from './support/methods';
import { decodeContentHeader } from './support/wire';

/** A topic dead-letter exchange and a queue catching every key behind it. */
async function deadLetterTarget(c: Conformance): Promise<{ dlx: string; dlq: string }> {
  const dlx = await c.exchange('topic');
  const dlq = await c.queue();
  await (await c.channel()).bindQueue(dlq, dlx, '#');
  return { dlx, dlq };
}

async function rejectOne(channel: Channel, queue: string): Promise<GetMessage> {
  const message = await getEventually(channel, queue, { noAck: false });
  channel.reject(message, false);
  return message;
}

const timestamp = { '!': 'timestamp', value: expect.any(Number) };
type Headers = Record<string, unknown>;

// amqp-semantics.md §22: dead-lettering and the x-death header.
//
// RabbitMQ 3.10 (the local reference) vs RabbitMQ 4, which the project follows:
// RabbitMQ >= 3.13 also sets x-last-death-reason/-queue/-exchange beside the
// x-first-death-* headers. The scenarios below assert them on the embedded
// target and assert their absence on RabbitMQ 3.10, so the difference stays explicit.
conformance('dead-lettering', (c) => {
  const followsRabbitMq4 = c.target.name !== 'rabbitmq';

  it('dead-letters a rejected message with one precise x-death entry', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'poison', {
      headers: { app: 'kept' },
      messageId: 'm-1',
    });
    const before = Math.floor(Date.now() / 1000);
    await rejectOne(channel, queue);
    const dead = await getEventually(channel, dlq);

    expect(dead.fields).toMatchObject({ exchange: dlx, routingKey: queue, redelivered: false });
    expect(dead.properties.messageId).toBe('m-1');
    expect(xDeath(dead)).toEqual([
      {
        count: 1,
        reason: 'rejected',
        queue,
        time: timestamp,
        exchange: '',
        'routing-keys': [queue],
      },
    ]);
    const seconds = (xDeath(dead)[0].time as { value: number }).value;
    expect(Math.abs(seconds - before)).toBeLessThanOrEqual(5);
    const headers = dead.properties.headers as Headers;
    expect(headers).toMatchObject({
      app: 'kept',
      'x-first-death-reason': 'rejected',
      'x-first-death-queue': queue,
      'x-first-death-exchange': '',
    });
    if (followsRabbitMq4) {
      expect(headers).toMatchObject({
        'x-last-death-reason': 'rejected',
        'x-last-death-queue': queue,
        'x-last-death-exchange': '',
      });
    } else {
      expect(headers['x-last-death-reason']).toBeUndefined();
    }
  });

  it('dead-letters on nack(requeue=false) with reason rejected', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'nacked');
    const message = await getEventually(channel, queue, { noAck: false });
    channel.nack(message, false, false);
    expect(xDeath(await getEventually(channel, dlq))[0]).toMatchObject({
      reason: 'rejected',
      count: 1,
    });
  });

  it('dead-letters an expired message, moving expiration to original-expiration', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'late', { expiration: '20' });
    const dead = await getEventually(channel, dlq);
    expect(dead.properties.expiration).toBeUndefined();
    expect(xDeath(dead)).toEqual([
      {
        count: 1,
        reason: 'expired',
        queue,
        time: timestamp,
        exchange: '',
        'routing-keys': [queue],
        'original-expiration': '20',
      },
    ]);
  });

  it('dead-letters a queue-TTL expiry without original-expiration', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx, messageTtl: 20 });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'late');
    const [entry] = xDeath(await getEventually(channel, dlq));
    expect(entry).toMatchObject({ reason: 'expired', queue });
    expect(entry['original-expiration']).toBeUndefined();
  });

  it('moves the expiration of a rejected (not expired) message to original-expiration', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'refused', { expiration: '60000' });
    await rejectOne(channel, queue);
    const dead = await getEventually(channel, dlq);
    // removed so the dead letter cannot expire again wherever it is routed
    expect(dead.properties.expiration).toBeUndefined();
    expect(xDeath(dead)).toEqual([
      expect.objectContaining({ reason: 'rejected', queue, 'original-expiration': '60000' }),
    ]);
  });

  it('uses x-dead-letter-routing-key when set, keeping the original keys in x-death', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx, deadLetterRoutingKey: 'dead.key' });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'x');
    await rejectOne(channel, queue);
    const dead = await getEventually(channel, dlq);
    expect(dead.fields.routingKey).toBe('dead.key');
    expect(xDeath(dead)[0]['routing-keys']).toEqual([queue]);
  });

  // Observed on RabbitMQ 3.10: the BCC header is stripped at publish, but the
  // message keeps all its routing keys, so dead-lettering re-routes by the BCC
  // key as well; only x-death's routing-keys leaves BCC out (as documented).
  it('republishes with the original routing keys (CC and BCC) when no dead-letter key is set', async () => {
    const dlx = await c.exchange('direct');
    const channel = await c.confirmChannel();
    const byKey: Record<string, string> = {};
    for (const key of ['main', 'cc', 'bcc']) {
      byKey[key] = await c.queue();
      await channel.bindQueue(byKey[key], dlx, key);
    }
    const source = await c.exchange('direct');
    const queue = await c.queue({ deadLetterExchange: dlx });
    await channel.bindQueue(queue, source, 'main');
    await publishConfirmed(channel, source, 'main', 'fan', { CC: 'cc', BCC: 'bcc' });
    await rejectOne(channel, queue);
    const main = await getEventually(channel, byKey.main);
    const cc = await getEventually(channel, byKey.cc);
    const bcc = await getEventually(channel, byKey.bcc);
    expect(xDeath(main)[0]).toMatchObject({ exchange: source, 'routing-keys': ['main', 'cc'] });
    for (const copy of [main, cc, bcc]) {
      expect(copy.fields.routingKey).toBe('main');
      expect((copy.properties.headers as Headers).BCC).toBeUndefined();
    }
  });

  it('routes by x-dead-letter-routing-key alone when set: CC header dropped, neither CC nor BCC routed', async () => {
    const dlx = await c.exchange('direct');
    const channel = await c.confirmChannel();
    const byKey: Record<string, string> = {};
    for (const key of ['dead', 'main', 'cc', 'bcc']) {
      byKey[key] = await c.queue();
      await channel.bindQueue(byKey[key], dlx, key);
    }
    const source = await c.exchange('direct');
    const queue = await c.queue({ deadLetterExchange: dlx, deadLetterRoutingKey: 'dead' });
    await channel.bindQueue(queue, source, 'main');
    await publishConfirmed(channel, source, 'main', 'fan', { CC: 'cc', BCC: 'bcc' });
    await rejectOne(channel, queue);
    const dead = await getEventually(channel, byKey.dead);
    expect(dead.fields.routingKey).toBe('dead');
    const headers = dead.properties.headers as Headers;
    expect(headers.CC).toBeUndefined();
    expect(headers.BCC).toBeUndefined();
    expect(xDeath(dead)[0]).toMatchObject({ exchange: source, 'routing-keys': ['main', 'cc'] });
    await settle(100);
    for (const key of ['main', 'cc', 'bcc']) expect(await getAll(channel, byKey[key])).toEqual([]);
  });

  it('keeps separate x-death entries for one queue dying for two reasons', async () => {
    const channel = await c.confirmChannel();
    const q1 = c.queueName();
    const q2 = c.queueName();
    // q1 expires its messages into q2 after a while; q2 sends rejects back to q1.
    await channel.assertQueue(q1, {
      messageTtl: 1000,
      deadLetterExchange: '',
      deadLetterRoutingKey: q2,
    });
    await channel.assertQueue(q2, { deadLetterExchange: '', deadLetterRoutingKey: q1 });
    await publishConfirmed(channel, '', q1, 'two-ways');
    await rejectOne(channel, q1); // rejected in q1 -> q2
    await rejectOne(channel, q2); // rejected in q2 -> q1, where it then expires -> q2
    const message = await getEventually(channel, q2, { noAck: true }, 5_000);
    const entries = xDeath(message).map((e) => [e.queue, e.reason, e.count]);
    if (followsRabbitMq4) {
      // RabbitMQ 4 keeps the entries in order of recency (the newest death first).
      expect(entries).toEqual([
        [q1, 'expired', 1],
        [q2, 'rejected', 1],
        [q1, 'rejected', 1],
      ]);
    } else {
      // RabbitMQ 3.10 puts the newest first but regroups the older entries by
      // queue and reason, so their order follows the (random) queue names
      // (RabbitMQ 4 records deaths in recency order).
      expect(entries[0]).toEqual([q1, 'expired', 1]);
      expect(entries.slice(1)).toEqual(
        expect.arrayContaining([
          [q2, 'rejected', 1],
          [q1, 'rejected', 1],
        ]),
      );
      expect(entries).toHaveLength(3);
    }
    const headers = message.properties.headers as Headers;
    expect(headers['x-first-death-reason']).toBe('rejected');
    if (followsRabbitMq4) expect(headers['x-last-death-reason']).toBe('expired');
  });

  it('keeps one x-death entry per (queue, reason), newest first, counting repeats', async () => {
    const channel = await c.confirmChannel();
    const q1 = c.queueName();
    const q2 = c.queueName();
    await channel.assertQueue(q1, { deadLetterExchange: '', deadLetterRoutingKey: q2 });
    await channel.assertQueue(q2, { deadLetterExchange: '', deadLetterRoutingKey: q1 });
    await publishConfirmed(channel, '', q1, 'ping-pong');
    await rejectOne(channel, q1); // -> q2
    await rejectOne(channel, q2); // -> q1
    await rejectOne(channel, q1); // -> q2 again
    const message = await getEventually(channel, q2);
    expect(xDeath(message).map((e) => [e.queue, e.reason, e.count])).toEqual([
      [q1, 'rejected', 2],
      [q2, 'rejected', 1],
    ]);
    const headers = message.properties.headers as Headers;
    expect(headers['x-first-death-queue']).toBe(q1);
    if (followsRabbitMq4) expect(headers['x-last-death-queue']).toBe(q1);
  });

  it('allows a cycle that includes a rejection, counting each pass', async () => {
    const channel = await c.confirmChannel();
    const queue = c.queueName();
    await channel.assertQueue(queue, { deadLetterExchange: '', deadLetterRoutingKey: queue });
    await publishConfirmed(channel, '', queue, 'again');
    await rejectOne(channel, queue);
    await rejectOne(channel, queue);
    const message = await getEventually(channel, queue);
    expect(xDeath(message).map((e) => [e.reason, e.count])).toEqual([['rejected', 2]]);
  });

  it('drops a message caught in a fully automatic dead-letter cycle', async () => {
    const channel = await c.confirmChannel();
    const queue = c.queueName();
    // Expires into the default exchange, routed straight back to itself.
    await channel.assertQueue(queue, {
      messageTtl: 20,
      deadLetterExchange: '',
      deadLetterRoutingKey: queue,
    });
    await publishConfirmed(channel, '', queue, 'loop');
    await settle(400);
    expect(await getAll(channel, queue)).toEqual([]);
  });

  it('drops a dead-lettered message whose dead-letter exchange does not exist', async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue({ deadLetterExchange: c.exchangeName('conf.missing-dlx') });
    await publishConfirmed(channel, '', queue, 'lost');
    await rejectOne(channel, queue);
    await settle(100);
    expect(await getAll(channel, queue)).toEqual([]);
    await expect(channel.checkQueue(queue)).resolves.toMatchObject({ messageCount: 0 }); // channel still open
  });

  // RabbitMQ 4 x-death rework (4.0 release notes, "AMQP 0.9.1 x-death header";
  // rabbitmq-server #11174, #11339): up to 3.13 the broker read the x-death header
  // of a message a CLIENT published, so a consumer that republishes a dead letter
  // with its headers made the next death count on (3.10 below). RabbitMQ 4 keeps
  // the death history as its own annotation of the message instead: a republished
  // message starts with none, and its next death overwrites x-death and sets
  // x-first-death-* / x-last-death-* afresh from that death alone.
  it('republished with its headers to the same queue: 3.10 counts on, RabbitMQ 4 restarts the count', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'retry', { headers: { app: 'kept' } });
    await rejectOne(channel, queue);
    const first = await getEventually(channel, dlq);
    expect(xDeath(first).map((e) => [e.queue, e.reason, e.count])).toEqual([
      [queue, 'rejected', 1],
    ]);

    await publishConfirmed(channel, '', queue, 'retry', { headers: first.properties.headers });
    await rejectOne(channel, queue);
    const second = await getEventually(channel, dlq);
    const count = followsRabbitMq4 ? 1 : 2;
    expect(xDeath(second).map((e) => [e.queue, e.reason, e.count])).toEqual([
      [queue, 'rejected', count],
    ]);
    expect(second.properties.headers).toMatchObject({
      app: 'kept',
      'x-first-death-queue': queue,
      'x-first-death-reason': 'rejected',
    });
  });

  it('republished with its headers to another queue: 3.10 keeps the old deaths, RabbitMQ 4 starts a new history', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const firstQueue = await c.queue({ deadLetterExchange: dlx });
    const retryQueue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', firstQueue, 'retry');
    await rejectOne(channel, firstQueue);
    const first = await getEventually(channel, dlq);

    await publishConfirmed(channel, '', retryQueue, 'retry', { headers: first.properties.headers });
    await rejectOne(channel, retryQueue);
    const second = await getEventually(channel, dlq);
    const headers = second.properties.headers as Headers;
    if (followsRabbitMq4) {
      expect(xDeath(second).map((e) => [e.queue, e.reason, e.count])).toEqual([
        [retryQueue, 'rejected', 1],
      ]);
      // x-first-death-* come from the broker's own history, not the client's copy.
      expect(headers).toMatchObject({
        'x-first-death-queue': retryQueue,
        'x-last-death-queue': retryQueue,
      });
    } else {
      expect(xDeath(second).map((e) => [e.queue, e.reason, e.count])).toEqual([
        [retryQueue, 'rejected', 1],
        [firstQueue, 'rejected', 1],
      ]);
      expect(headers['x-first-death-queue']).toBe(firstQueue);
    }
  });

  it('a client-published x-death naming the target queue: 3.10 drops it as a cycle, RabbitMQ 4 delivers it', async () => {
    const channel = await c.confirmChannel();
    const target = await c.queue();
    // Expires straight into `target`: no rejection anywhere on the way.
    const expiring = await c.queue({
      messageTtl: 20,
      deadLetterExchange: '',
      deadLetterRoutingKey: target,
    });
    const clientDeath = {
      count: 1,
      reason: 'expired',
      queue: target,
      time: { '!': 'timestamp', value: Math.floor(Date.now() / 1000) },
      exchange: '',
      'routing-keys': [target],
    };
    await publishConfirmed(channel, '', expiring, 'not-a-cycle', {
      headers: { 'x-death': [clientDeath] },
    });
    if (followsRabbitMq4) {
      const message = await getEventually(channel, target);
      expect(xDeath(message).map((e) => [e.queue, e.reason, e.count])).toEqual([
        [expiring, 'expired', 1],
      ]);
    } else {
      await settle(400);
      expect(await getAll(channel, target)).toEqual([]);
      expect(await getAll(channel, expiring)).toEqual([]);
    }
  });

  if (c.canRestart) {
    // The broker's death history is kept with the stored message (a mark in the
    // stored content header, see libs/broker/src/docs/queues.md), so a restart
    // must not turn it into "client headers" that the next death would discard.
    it('restart: deaths recorded before a restart still accumulate after it', async () => {
      const channel = await c.confirmChannel();
      const q1 = c.queueName();
      const q2 = c.queueName();
      await channel.assertQueue(q1, {
        durable: true,
        deadLetterExchange: '',
        deadLetterRoutingKey: q2,
      });
      await channel.assertQueue(q2, {
        durable: true,
        deadLetterExchange: '',
        deadLetterRoutingKey: q1,
      });
      await publishConfirmed(channel, '', q1, 'survivor', { persistent: true });
      await rejectOne(channel, q1); // -> q2, persisted there with its death
      await settle(100);

      await c.restart();

      const after = await c.confirmChannel();
      await rejectOne(after, q2); // -> q1
      await rejectOne(after, q1); // -> q2
      const message = await getEventually(after, q2);
      expect(xDeath(message).map((e) => [e.queue, e.reason, e.count])).toEqual([
        [q1, 'rejected', 2],
        [q2, 'rejected', 1],
      ]);
      expect(message.properties.headers).toMatchObject({
        'x-first-death-queue': q1,
        'x-last-death-queue': q1,
      });
    });
  }

  it('encodes x-death count as a long and time as a timestamp on the wire', async () => {
    const { dlx, dlq } = await deadLetterTarget(c);
    const queue = await c.queue({ deadLetterExchange: dlx });
    const channel = await c.confirmChannel();
    await publishConfirmed(channel, '', queue, 'typed');
    await rejectOne(channel, queue);
    await getEventually(channel, dlq, { noAck: false }).then((m) => channel.nack(m, false, true));
    await channel.recover();

    const raw = await c.raw();
    await raw.openChannel(1);
    await raw.call(queueDeclare(1, dlq, { passive: true }), 1, Method.queueDeclareOk);
    raw.write(basicGet(1, dlq));
    await raw.expectMethod(1, Method.basicGetOk);
    const header = decodeContentHeader((await raw.readFrame()).payload);
    const [entry] = header.headers?.['x-death'] as Record<string, unknown>[];
    expect(typeof entry.count).toBe('bigint'); // 'l'
    expect(entry.count).toBe(1n);
    expect(entry.time).toBeInstanceOf(Date); // 'T'
    expect(entry['routing-keys']).toEqual([queue]); // 'A' of 'S'
  });
});
