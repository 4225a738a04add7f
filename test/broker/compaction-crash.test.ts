/**
 * Segment compaction with a real broker process: many persistent messages over small
 * segments, all acked but a few spread over the segments (those stay unacked with
 * their consumer), so every segment is pinned by one message. Compaction rewrites the
 * pinned segments small and the disk usage drops; then kill -9, and the restarted
 * broker returns exactly the unacked messages, once each.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConsumeMessage } from 'amqplib';
import { eventually } from '../support/eventually';
import { restartScene } from './support/restart-scene';

const QUEUE = 'compaction.crash';
const TOTAL = 3000;
const SEGMENT_SIZE = 16 * 1024;
/** Every 97th message stays unacked: one or two in each 16 KiB segment (~15 records). */
const KEPT = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 97 === 13);

const body = (i: number) => Buffer.from(`m${i} `.padEnd(1000, String.fromCharCode(97 + (i % 26))));

const indexOf = (content: Buffer) => Number(content.toString().split(' ')[0]!.slice(1));

async function messageFiles(dataDir: string): Promise<{ names: string[]; bytes: number }> {
  const dir = join(dataDir, 'messages');
  const names = (await readdir(dir)).sort();
  let bytes = 0;
  for (const name of names) bytes += (await stat(join(dir, name))).size;
  return { names, bytes };
}

describe('segment compaction under kill -9 (real process)', () => {
  const scene = restartScene('compaction');

  it('shrinks the pinned segments, and after kill -9 exactly the unacked messages come back, once each', async () => {
    const dataDir = join(scene.dir, 'data');
    // an interval long enough to see the files before compaction runs
    const config = { segmentSize: SEGMENT_SIZE, compactionIntervalMs: 1500 };
    const first = await scene.start(dataDir, { config });
    const connection = await scene.open(first.url);
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(QUEUE, { durable: true });
    for (let i = 0; i < TOTAL; i++) {
      publisher.sendToQueue(QUEUE, body(i), { persistent: true });
      if (i % 500 === 499) await publisher.waitForConfirms();
    }
    await publisher.waitForConfirms();
    const published = await messageFiles(dataDir);

    const consumer = await connection.createChannel();
    await consumer.prefetch(TOTAL);
    const held: ConsumeMessage[] = [];
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.consume(QUEUE, (message) => {
        const i = indexOf(message!.content);
        if (KEPT.includes(i)) held.push(message!);
        else consumer.ack(message!);
        if (++seen === TOTAL) resolve();
      });
    });
    expect(held).toHaveLength(KEPT.length);

    // fully acked segments go; each pinned one stays whole until compaction
    const pinned = await eventually(async () => {
      const files = await messageFiles(dataDir);
      const segments = files.names.filter((n) => n.endsWith('.seg'));
      expect(segments.length).toBeLessThanOrEqual(KEPT.length + 1);
      expect(segments.length).toBeGreaterThan(KEPT.length / 2);
      return files;
    });
    expect(pinned.bytes).toBeLessThan(published.bytes);
    const compacted = await eventually(
      async () => {
        const files = await messageFiles(dataDir);
        expect(files.names.filter((n) => /-\d{4}\.seg$/.test(n)).length).toBeGreaterThan(
          KEPT.length / 2,
        );
        expect(files.bytes).toBeLessThan(pinned.bytes / 4);
        return files;
      },
      { timeoutMs: 20_000 },
    );
    console.log(
      `compaction: ${published.names.length} files / ${published.bytes} B after publishing, ` +
        `${pinned.names.length} / ${pinned.bytes} B once acked, ` +
        `${compacted.names.length} / ${compacted.bytes} B compacted`,
    );

    await first.kill9();
    const second = await scene.start(dataDir, { config });
    const again = await scene.open(second.url);
    const channel = await again.createChannel();
    expect((await channel.checkQueue(QUEUE)).messageCount).toBe(KEPT.length);
    const back: number[] = [];
    let message;
    while ((message = await channel.get(QUEUE, { noAck: true })) !== false) {
      const index = indexOf(message.content);
      expect(message.content.equals(body(index))).toBe(true);
      back.push(index);
    }
    expect(back).toEqual(KEPT); // each once, in queue order
  }, 120_000);
});
