import type { Channel, Message } from 'amqplib';
import { AckBatcher } from './ack-batcher';

function delivery(tag: number): Message {
  return { fields: { deliveryTag: tag }, properties: {}, content: Buffer.alloc(0) } as Message;
}

function setup() {
  const sent: string[] = [];
  let closed = false;
  const channel = {
    ack(message: Message, allUpTo?: boolean) {
      if (closed) throw new Error('Channel closed');
      sent.push(`ack ${message.fields.deliveryTag}${allUpTo ? ' multiple' : ''}`);
    },
  } as unknown as Channel;
  const counts = { acked: 0, lost: 0 };
  const batcher = new AckBatcher(
    channel,
    (n) => (counts.acked += n),
    (n) => (counts.lost += n),
  );
  return { batcher, sent, counts, close: () => (closed = true) };
}

describe('AckBatcher', () => {
  it('acks an unbroken run of finished deliveries with one multiple ack', () => {
    const { batcher, sent, counts } = setup();
    for (const tag of [2, 1, 3]) batcher.ack(delivery(tag));
    batcher.flush();
    expect(sent).toEqual(['ack 3 multiple']);
    expect(counts.acked).toBe(3);
  });

  it('never covers a running delivery: later finished ones are acked alone', () => {
    const { batcher, sent } = setup();
    batcher.ack(delivery(1));
    batcher.ack(delivery(3)); // 2 still running
    batcher.ack(delivery(4));
    batcher.flush();
    expect(sent).toEqual(['ack 1 multiple', 'ack 3', 'ack 4']);
    batcher.ack(delivery(2));
    batcher.ack(delivery(5));
    batcher.flush();
    // 3 and 4 are already acked: the run 2..5 is named by its last waiting tag.
    expect(sent.slice(3)).toEqual(['ack 5 multiple']);
  });

  it('skips deliveries rejected or nacked directly, and never names them', () => {
    const { batcher, sent } = setup();
    batcher.ack(delivery(1));
    batcher.settledElsewhere(delivery(2));
    batcher.flush();
    expect(sent).toEqual(['ack 1 multiple']);
    batcher.settledElsewhere(delivery(3));
    batcher.flush();
    expect(sent).toHaveLength(1); // nothing waiting, nothing sent
    batcher.ack(delivery(4));
    batcher.flush();
    expect(sent).toEqual(['ack 1 multiple', 'ack 4 multiple']);
  });

  it('flushes by itself within the event-loop turn', async () => {
    const { batcher, sent } = setup();
    batcher.ack(delivery(1));
    batcher.ack(delivery(2));
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['ack 2 multiple']);
  });

  it('acks a run behind a delivery that finished long after its neighbours with one multiple ack', () => {
    const { batcher, sent, counts } = setup();
    for (let tag = 2; tag <= 5; tag++) batcher.ack(delivery(tag));
    batcher.flush();
    batcher.ack(delivery(1));
    batcher.ack(delivery(7)); // 6 still running
    batcher.flush();
    expect(sent).toEqual(['ack 2', 'ack 3', 'ack 4', 'ack 5', 'ack 1 multiple', 'ack 7']);
    batcher.ack(delivery(6));
    batcher.flush();
    expect(sent.slice(6)).toEqual(['ack 6 multiple']);
    expect(counts.acked).toBe(7);
  });

  // Bookkeeping per tag since the oldest running delivery made every flush scan all of
  // them: 300 000 deliveries finishing behind one slow handler took minutes of CPU.
  it('costs the same per delivery however many finish behind one handler that never returns', () => {
    const { batcher, counts } = setup();
    const started = Date.now();
    for (let tag = 2; tag <= 300_001; tag += 10) {
      for (let k = 0; k < 10; k++) batcher.ack(delivery(tag + k));
      batcher.flush();
    }
    expect(counts.acked).toBe(300_000);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports acks lost to a closed channel instead of throwing', () => {
    const { batcher, counts, close } = setup();
    batcher.ack(delivery(1));
    batcher.ack(delivery(2));
    close();
    expect(() => batcher.flush()).not.toThrow();
    expect(counts).toEqual({ acked: 0, lost: 2 });
  });
});
