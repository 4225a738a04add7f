/**
 * Child process for test/broker/store-crash.test.ts: appends messages to a durable store
 * as fast as it can and prints `c <id>` for each one only after the sync() covering it
 * resolved, and `r <id>` before it removes one. The parent kill -9s it at any moment.
 *
 *   node -r @swc-node/register test/broker/support/store-writer.ts <dataDir> <firstId>
 */
import { openFileStore, queueKeyOf, type MessageRef } from '@surety/broker/store';
import { crashMessage, idOf, QUEUES, queueOf } from './store-crash-messages';

const SEGMENT_SIZE = 64 * 1024; // small, so rollovers and deletions happen while we are killed
const WRITERS = 4; // concurrent append+sync loops: batches overlap in-flight fsyncs
const KEEP_LIVE = 3000; // beyond this, the oldest messages are removed (acked)

async function main(): Promise<void> {
  const [dataDir, firstIdText] = process.argv.slice(2);
  const store = openFileStore({ dataDir, segmentSize: SEGMENT_SIZE });
  const recovered = await store.open();
  for (const name of QUEUES) {
    await store.putQueue({
      vhost: '/',
      name,
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: Buffer.alloc(0),
    });
  }
  const live: Array<{ key: string; ref: MessageRef; id: number }> = [];
  for (const [key, list] of recovered.messages) {
    for (const { ref, message } of list) live.push({ key, ref, id: idOf(message) });
  }
  live.sort((a, b) => a.id - b.id);
  let nextId = Number(firstIdText);

  const writer = async (): Promise<void> => {
    for (;;) {
      const batch: number[] = [];
      const size = 1 + Math.floor(Math.random() * 300);
      for (let i = 0; i < size; i++) {
        const id = nextId++;
        const key = queueKeyOf('/', queueOf(id));
        live.push({ key, ref: store.append(key, crashMessage(id)), id });
        batch.push(id);
      }
      await store.sync();
      // Pipes to the parent are written synchronously: once this returns, it is said.
      process.stdout.write(batch.map((id) => `c ${id}\n`).join(''));
      if (live.length > KEEP_LIVE) {
        const oldest = live.splice(0, live.length - KEEP_LIVE);
        // Announced before the removal: the parent never requires a message we acked.
        process.stdout.write(oldest.map((m) => `r ${m.id}\n`).join(''));
        for (const m of oldest) store.remove(m.key, m.ref);
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
