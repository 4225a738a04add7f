import { toFieldTable } from '../protocol';
import { NO_DURABILITY, type Durability } from './durability';
import type { StoredRef } from './queue-entry';
import { RecordingConsumer, flushTicks, message } from './testing/fakes';
import { Vhost } from './vhost';

const OWNER = {};

/** What the queue tells the store about persisted messages: appends, removals, first deliveries. */
function recordingStore() {
  let next = 1;
  const removed: number[] = [];
  const delivered: number[] = [];
  const durability: Durability = {
    ...NO_DURABILITY,
    append: (): StoredRef => ({ segment: 1, position: next++, length: 10 }),
    remove: (_queue, ref) => void removed.push(ref.position),
    delivered: (_queue, ref) => void delivered.push(ref.position),
  };
  return { durability, removed, delivered };
}

function setup() {
  const store = recordingStore();
  const vhost = new Vhost('/', store.durability);
  const queue = vhost.declareQueue(
    {
      name: 'q',
      passive: false,
      durable: true,
      exclusive: false,
      autoDelete: false,
      args: toFieldTable({}),
    },
    OWNER,
  );
  const publish = (n: number) => {
    for (let i = 1; i <= n; i++)
      vhost.publish('', message('q', { deliveryMode: 2, body: `m${i}` }));
  };
  return { ...store, vhost, queue, publish };
}

describe('what a durable queue reports to the store', () => {
  it('marks the first delivery to an acking consumer only, not a redelivery', async () => {
    const { queue, publish, delivered } = setup();
    publish(2);
    const consumer = new RecordingConsumer('c', 1);
    queue.addConsumer(consumer);
    await flushTicks();
    expect(delivered).toEqual([1]);
    expect(consumer.received[0]!.redelivered).toBe(false);

    queue.requeue(consumer.received[0]!); // back, redelivered
    consumer.credit = 2;
    queue.scheduleDelivery();
    await flushTicks();
    expect(consumer.received.map((e) => [e.message.body.toString(), e.redelivered])).toEqual([
      ['m1', true], // the same entry as the first delivery, now flagged
      ['m1', true],
      ['m2', false],
    ]);
    expect(delivered).toEqual([1, 2]); // m1 was marked when it first went out
  });

  it('marks basic.get without no-ack; no-ack deliveries are removed instead', async () => {
    const { queue, publish, delivered, removed } = setup();
    publish(3);
    expect(queue.get(false)?.message.body.toString()).toBe('m1');
    expect(queue.get(true)?.message.body.toString()).toBe('m2');
    const noAck = new RecordingConsumer('auto', Infinity, 0, true);
    queue.addConsumer(noAck);
    await flushTicks();
    expect(noAck.bodies()).toEqual(['m3']);
    expect(delivered).toEqual([1]);
    expect(removed).toEqual([2, 3]);
  });

  it('purge removes the ready messages from the store, not the unacknowledged one', async () => {
    const { vhost, queue, publish, removed } = setup();
    publish(4);
    const consumer = new RecordingConsumer('c', 1);
    queue.addConsumer(consumer);
    await flushTicks();
    expect(vhost.purgeQueue('q', OWNER)).toBe(3);
    expect(removed.sort()).toEqual([2, 3, 4]);
    queue.requeue(consumer.received[0]!); // its channel closed: m1 is back, still stored
    expect(queue.readyEntries().map((e) => e.message.body.toString())).toEqual(['m1']);
    expect(removed).not.toContain(1);
  });
});
