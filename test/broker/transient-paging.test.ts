/**
 * Transient messages (delivery-mode 1, or any message in a non-durable queue) page
 * out to scratch files under <dataDir>/paging/ instead of growing the heap: a real
 * EmbeddedBroker with a tiny memory budget, real amqplib clients. The files are
 * never fsync'd and never recovered: a restart finds no transient message and no
 * paging file.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import {
  body,
  consume,
  expectInOrderAndExact,
  getAll,
  publishAll,
  budgetedBroker,
  range,
} from './support/paging-messages';

const BUDGET = 1024 * 1024;
/** ~6 MB of bodies plus per-message overhead: about 8x the budget. */
const TOTAL = 6000;

describe('paging transient messages to scratch files', () => {
  const scene = budgetedBroker('transient-paging', BUDGET);
  const { start, stop } = scene;
  const pagingDir = () => join(scene.dataDir, 'paging');

  it.each([
    ['a non-durable queue', false, true],
    ['a durable queue, delivery-mode 1', true, false],
  ])(
    'keeps memory near the budget for %s, delivers every message in order, byte for byte, and deletes the files as they are consumed',
    async (_what, durable, persistent) => {
      const { broker, connection } = await start();
      const queue = uniqueName('transient.paging');
      const publisher = await connection.createConfirmChannel();
      await publisher.assertQueue(queue, { durable });
      await publishAll(publisher, queue, 0, TOTAL, { persistent });

      const q = broker.vhost('/')!.queues.get(queue)!;
      await eventually(() => expect(broker.memory.used).toBeLessThanOrEqual(BUDGET));
      expect(q.messageCount).toBe(TOTAL);
      expect(q.pagedCount).toBeGreaterThan(TOTAL / 2);
      expect(broker.memory.paged).toBe(q.pagedCount);
      const paging = broker.paging.stats();
      expect(paging.live).toBe(q.pagedCount);
      expect(paging.files).toBeGreaterThan(0);
      expect((await readdir(pagingDir())).length).toBe(paging.files);
      // nothing transient reached the durable store
      expect(broker.store!.stats().liveMessages).toBe(0);

      const consumer = await connection.createChannel();
      const received = await consume(consumer, queue, TOTAL, 100);
      expectInOrderAndExact(received, 0, TOTAL);
      expect(broker.memory.paged).toBe(0);
      expect(broker.memory.used).toBe(0);
      await eventually(async () => {
        expect(broker.paging.stats()).toEqual({ files: 0, bytes: 0, live: 0 });
        expect(await readdir(pagingDir())).toEqual([]);
      });
    },
  );

  it('serves basic.get from a paged-out transient head, and purge releases the paging files', async () => {
    const { broker, connection } = await start();
    const queue = uniqueName('transient.get');
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false });
    await publishAll(channel, queue, 0, 3000, { persistent: false });
    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(q.pagedCount).toBeGreaterThan(1000));
    const got = await getAll(channel, queue, 1500);
    expectInOrderAndExact(got, 0, 1500);

    expect(broker.paging.stats().live).toBeGreaterThan(0);
    await channel.purgeQueue(queue);
    expect(q.messageCount).toBe(0);
    expect(broker.memory.paged).toBe(0);
    await eventually(async () => expect(await readdir(pagingDir())).toEqual([]));
    expect(broker.paging.stats().live).toBe(0);
  });

  it('keeps persistent and transient messages of one durable queue in order; a restart brings back only the persistent ones and no paging file', async () => {
    let { broker, connection } = await start();
    const queue = uniqueName('transient.mixed');
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    for (let from = 0; from < TOTAL; from += 500) {
      await publishAll(publisher, queue, from, from + 500, { persistent: (from / 500) % 2 === 0 });
    }
    const q = broker.vhost('/')!.queues.get(queue)!;
    await eventually(() => expect(broker.memory.used).toBeLessThanOrEqual(BUDGET));
    expect(broker.paging.stats().live).toBeGreaterThan(1000);
    expect(q.pagedCount).toBeGreaterThan(broker.paging.stats().live);

    // take the first half, in order, across persistent and transient stretches
    const consumer = await connection.createChannel();
    expectInOrderAndExact(await consume(consumer, queue, TOTAL / 2, 100), 0, TOTAL / 2);
    expect((await readdir(pagingDir())).length).toBeGreaterThan(0);
    await stop();
    expect(await readdir(pagingDir())).toEqual([]); // a clean stop deletes them

    // as if a crash had left paging files behind: the next start wipes them
    await mkdir(pagingDir(), { recursive: true });
    await writeFile(join(pagingDir(), '0000000001.page'), Buffer.alloc(4096, 7));
    await writeFile(join(pagingDir(), 'operator-notes.txt'), 'not ours');

    ({ broker, connection } = await start());
    expect(await readdir(pagingDir())).toEqual(['operator-notes.txt']);
    const persistentLeft = range(TOTAL / 2, TOTAL).filter((i) => Math.floor(i / 500) % 2 === 0);
    const restored = broker.vhost('/')!.queues.get(queue)!;
    expect(restored.messageCount).toBe(persistentLeft.length);
    const again = await consume(
      await connection.createChannel(),
      queue,
      persistentLeft.length,
      100,
    );
    expect(again.map((r) => r.index)).toEqual(persistentLeft);
    for (const r of again) expect(r.content.equals(body(r.index))).toBe(true);
  });
});
