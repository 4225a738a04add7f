import { EventEmitter } from 'node:events';
import type { ConfirmChannel, Message } from 'amqplib';
import type { PublishResult } from '../interfaces/publish-options.interface';
import { ConfirmTracker } from './confirm-tracker';
import { PendingPublish } from './pending-publish';

class FakeConfirmChannel extends EventEmitter {
  published: string[] = [];
  publish(
    _exchange: string,
    _routingKey: string,
    _content: Buffer,
    properties: { messageId: string },
  ) {
    this.published.push(properties.messageId);
    return true;
  }
  ack(deliveryTag: number, multiple = false) {
    this.emit('ack', { deliveryTag, multiple });
  }
  nack(deliveryTag: number, multiple = false) {
    this.emit('nack', { deliveryTag, multiple, requeue: false });
  }
  returned(messageId: string, target: { exchange: string; routingKey: string } | object = {}) {
    this.emit('return', {
      fields: { replyCode: 312, replyText: 'NO_ROUTE', ...target },
      properties: { messageId },
    } as unknown as Message);
  }
}

function setup() {
  const channel = new FakeConfirmChannel();
  const tracker = new ConfirmTracker(channel as unknown as ConfirmChannel);
  const settled: string[] = [];
  const send = (messageId: string, timeoutMs = 1000, routingKey = 'rk') => {
    const entry = new PendingPublish(
      'ex',
      routingKey,
      messageId,
      timeoutMs,
      'result',
      (_e, status) => settled.push(`${messageId} ${status}`),
    );
    const result = entry.promise<PublishResult>();
    entry.deadline = Date.now() + timeoutMs;
    tracker.send('ex', routingKey, Buffer.alloc(0), { messageId, headers: {} }, entry);
    return result;
  };
  return { channel, tracker, settled, send };
}

describe('ConfirmTracker', () => {
  it('settles every message up to a multiple ack, by sequence number', async () => {
    const { channel, tracker, send } = setup();
    const results = ['a', 'b', 'c'].map((id) => send(id));
    channel.ack(2, true);
    expect(tracker.size).toBe(1);
    channel.ack(3);
    expect((await Promise.all(results)).map((r) => r.status)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
    expect(tracker.size).toBe(0);
  });

  it('handles out-of-order single acks and nacks', async () => {
    const { channel, send, settled } = setup();
    const results = ['a', 'b', 'c'].map((id) => send(id));
    channel.ack(3);
    channel.nack(1);
    channel.ack(2);
    const [a, b, c] = await Promise.all(results);
    expect(settled).toEqual(['c confirmed', 'a nacked', 'b confirmed']);
    expect(a.error?.name).toBe('PublishNackedError');
    expect([b.status, c.status]).toEqual(['confirmed', 'confirmed']);
  });

  it('turns a return followed by its ack into UnroutableMessageError, for the oldest copy of the id', async () => {
    const { channel, send } = setup();
    const first = send('same');
    const second = send('same');
    channel.returned('same');
    channel.ack(2, true);
    const [one, two] = await Promise.all([first, second]);
    expect(one.status).toBe('returned');
    expect(one.error?.message).toContain("message same to exchange 'ex'");
    expect(two.status).toBe('confirmed');
  });

  it('gives a return to the copy it names, not to an older message with the same id still unconfirmed', async () => {
    const { channel, send } = setup();
    // A consumer's dead-letter copy keeps the id of the message it copies, whose
    // (persistent) confirm may still be on its way from the same publisher.
    const original = send('same', 1000, 'orders');
    const copy = send('same', 1000, 'orders.dlq');
    channel.returned('same', { exchange: 'ex', routingKey: 'orders.dlq' });
    channel.ack(2, true);
    const [one, two] = await Promise.all([original, copy]);
    expect(one.status).toBe('confirmed');
    expect(two.status).toBe('returned');
    expect(two.error?.message).toContain("routing key 'orders.dlq'");
  });

  it('times out only messages past their deadline, and fails the rest when the channel goes', async () => {
    const { tracker, send } = setup();
    const slow = send('slow', 10);
    const other = send('other', 60_000);
    tracker.expire(Date.now() + 20);
    expect((await slow).error?.name).toBe('PublishTimeoutError');
    tracker.failAll('channel closed');
    expect((await other).error?.name).toBe('ConnectionLostError');
    expect(tracker.size).toBe(0);
  });

  it('keeps sequence numbers right after dropping settled entries (compaction)', async () => {
    const { channel, tracker, send, settled } = setup();
    const results: Promise<PublishResult>[] = [];
    for (let i = 1; i <= 3000; i++) results.push(send(`m${i}`));
    // Confirm the first half one by one: the tracker drops them from its array.
    for (let i = 1; i <= 1500; i++) channel.ack(i);
    for (let i = 3001; i <= 4000; i++) results.push(send(`m${i}`));
    expect(tracker.size).toBe(2500);
    channel.ack(3999, true);
    expect(tracker.size).toBe(1);
    channel.ack(4000);
    expect((await Promise.all(results)).every((r) => r.status === 'confirmed')).toBe(true);
    expect(settled).toEqual(Array.from({ length: 4000 }, (_, i) => `m${i + 1} confirmed`));
  });
});
