import { readFileSync } from 'node:fs';
import { cp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACK_ENTRY_SIZE } from './ack-entries';
import { openFileStore } from './file-store';
import { StoreError } from './store-error';
import { exchangeHoldKey } from './types';
import {
  bindingDef,
  CapturingLogger,
  exchangeDef,
  message,
  messagesDir,
  openStore,
  queueDef,
  tempDataDir,
  waitFor,
} from './testing/store-fixtures';
import type { MessageRef } from './types';

describe('FileStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  it('recovers every synced message per queue, in append order, byte for byte', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('a'));
    await store.putQueue(queueDef('b', 'tenant'));
    const refs = new Map<number, MessageRef>();
    for (let id = 0; id < 500; id++) {
      refs.set(id, store.append(id % 3 === 0 ? 'tenant/b' : '//a', message(id, 4 + (id % 50))));
    }
    await store.sync();
    await store.close();

    const { store: reopened, state } = await openStore(dir);
    const a = state.messages.get('//a')!;
    const b = state.messages.get('tenant/b')!;
    const expectedA = [...refs.keys()].filter((id) => id % 3 !== 0);
    const expectedB = [...refs.keys()].filter((id) => id % 3 === 0);
    expect(a.map((m) => m.ref)).toEqual(expectedA.map((id) => refs.get(id)));
    expect(b.map((m) => m.ref)).toEqual(expectedB.map((id) => refs.get(id)));
    for (const [i, id] of expectedA.entries())
      expect(a[i].message).toEqual(message(id, 4 + (id % 50)));
    expect(reopened.stats().liveMessages).toBe(500);
    await reopened.close();
  });

  it('groups many appends into few fdatasyncs', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const before = store.stats().syncs;
    const confirms = [];
    for (let id = 0; id < 2000; id++) {
      store.append('//q', message(id));
      confirms.push(store.sync());
    }
    await Promise.all(confirms);
    expect(store.stats().syncs - before).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('sync() resolves at once when nothing was appended since the last one', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    store.append('//q', message(1));
    await store.sync();
    const syncs = store.stats().syncs;
    await store.sync();
    expect(store.stats().syncs).toBe(syncs);
    await store.close();
  });

  it('sync() also waits for definition changes made before it', async () => {
    const { store } = await openStore(dir);
    const put = store.putQueue(queueDef('declared.just.now'));
    const onDisk = store.sync().then(() => readFileSync(join(dir, 'definitions.log'), 'utf8'));
    expect(await onDisk).toContain('declared.just.now');
    await put;
    await store.close();
  });

  it('does not return removed messages after a reopen', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const refs = Array.from({ length: 10 }, (_, id) => store.append('//q', message(id)));
    await store.sync();
    for (const ref of refs.filter((_, id) => id % 2 === 0)) store.remove('//q', ref);
    store.remove('//q', refs[0]); // twice: ignored
    expect(store.stats().liveMessages).toBe(5);
    await store.close();

    const { store: reopened, state } = await openStore(dir);
    expect(state.messages.get('//q')!.map((m) => m.message.body.readUInt32BE(0))).toEqual([
      1, 3, 5, 7, 9,
    ]);
    await reopened.close();
  });

  it('reads a message back by ref, written or still in the batch', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const first = store.append('//q', message(1, 3000));
    await store.sync();
    const pending = store.append('//q', message(2, 10));
    expect(await store.read(first)).toEqual(message(1, 3000));
    expect(await store.read(pending)).toEqual(message(2, 10));
    await store.close();
  });

  it('recovers marked (delivered) messages with redelivered=true after a clean close', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const refs = [0, 1, 2, 3].map((id) => store.append('//q', message(id)));
    await store.sync();
    store.markDelivered(refs[0]!);
    store.markDelivered(refs[1]!);
    store.remove('//q', refs[1]!); // delivered, then acked: gone, mark or not
    store.markDelivered(refs[2]!);
    await store.close(); // writes marks still waiting for their delay

    const { store: reopened, state } = await openStore(dir);
    const recovered = state.messages.get('//q')!;
    expect(recovered.map((m) => [m.message.body.readUInt32BE(0), m.redelivered])).toEqual([
      [0, true],
      [2, true],
      [3, false],
    ]);
    await reopened.close();
  });

  it('writes marks lazily to the ack file, without close (what a kill -9 finds)', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const refs = [0, 1].map((id) => store.append('//q', message(id)));
    await store.sync();
    store.markDelivered(refs[1]!);
    const acks = join(messagesDir(dir), '0000000001.ack');
    await waitFor(async () => expect((await stat(acks)).size).toBe(ACK_ENTRY_SIZE));
    // A snapshot of the files as they are now is what recovery would see after a crash.
    const snapshot = await tempDataDir();
    try {
      await cp(dir, snapshot.dir, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
      const { store: recovered, state } = await openStore(snapshot.dir);
      expect(state.messages.get('//q')!.map((m) => m.redelivered)).toEqual([false, true]);
      await recovered.close();
    } finally {
      await store.close();
      await snapshot.cleanup();
    }
  });

  it('removeQueue drops the queue, its bindings and its messages; a re-declared queue starts empty', async () => {
    const { store } = await openStore(dir);
    await store.putExchange(exchangeDef('ex'));
    await store.putQueue(queueDef('gone'));
    await store.putQueue(queueDef('stays'));
    await store.putBinding(bindingDef('ex', 'gone'));
    await store.putBinding(bindingDef('ex', 'stays'));
    for (let id = 0; id < 10; id++) store.append('//gone', message(id));
    store.append('//stays', message(99));
    await store.sync();
    await store.removeQueue('/', 'gone');
    await store.putQueue(queueDef('gone'));
    store.append('//gone', message(1000));
    await store.sync();
    await store.close();

    const { store: reopened, state } = await openStore(dir);
    expect(state.queues.map((q) => q.name).sort()).toEqual(['gone', 'stays']);
    expect(state.bindings.map((b) => b.destination)).toEqual(['stays']);
    expect(state.messages.get('//gone')!.map((m) => m.message)).toEqual([message(1000)]);
    expect(state.messages.get('//stays')).toHaveLength(1);
    await reopened.close();
  });

  it('keeps messages held by a durable exchange until the exchange is deleted', async () => {
    const { store } = await openStore(dir);
    await store.putExchange(exchangeDef('delayed'));
    await store.putQueue(queueDef('delayed')); // same name as the exchange: no collision
    const held = exchangeHoldKey('/', 'delayed');
    store.append(held, message(1));
    store.append('//delayed', message(2));
    await store.sync();
    await store.close();

    const { store: second, state } = await openStore(dir);
    expect(state.messages.get(held)!.map((m) => m.message)).toEqual([message(1)]);
    expect(state.messages.get('//delayed')!.map((m) => m.message)).toEqual([message(2)]);
    await second.removeExchange('/', 'delayed');
    await second.close();

    const { store: third, state: after } = await openStore(dir);
    expect(after.messages.has(held)).toBe(false);
    expect(after.messages.get('//delayed')).toHaveLength(1);
    await third.close();
  });

  it('keeps exchanges, queues and bindings with their argument bytes', async () => {
    const { store } = await openStore(dir);
    const ex = exchangeDef('policy.events');
    const q = { ...queueDef('billing.policy'), autoDelete: true };
    const binding = {
      ...bindingDef('policy.events', 'billing.policy', 'policy.*'),
      arguments: Buffer.from([9, 8]),
    };
    await Promise.all([store.putExchange(ex), store.putQueue(q), store.putBinding(binding)]);
    await store.close();
    const { store: reopened, state } = await openStore(dir);
    expect(state.exchanges).toEqual([ex]);
    expect(state.queues).toEqual([q]);
    expect(state.bindings).toEqual([binding]);
    await reopened.close();
  });

  it('creates missing parent directories', async () => {
    const nested = join(dir, 'a', 'b', 'c');
    const { store, state } = await openStore(nested);
    expect(state.queues).toEqual([]);
    await store.close();
  });

  it('names the path when the data directory cannot be created', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const store = openFileStore({ dataDir: join(file, 'data') });
    const failure = store.open();
    await expect(failure).rejects.toThrow(StoreError);
    await expect(failure).rejects.toThrow(`cannot create data directory ${join(file, 'data')}`);
  });

  it('rejects bad options and use before open with clear errors', async () => {
    expect(() => openFileStore({ dataDir: dir, segmentSize: 10 })).toThrow(/segmentSize/);
    expect(() => openFileStore({ dataDir: '' })).toThrow(/dataDir/);
    const store = openFileStore({ dataDir: dir, logger: new CapturingLogger() });
    expect(() => store.append('//q', message(1))).toThrow(/is not open/);
    await expect(store.putQueue(queueDef('q'))).rejects.toThrow(/is not open/);
  });

  it('stops accepting writes after a failed write, naming the file', async () => {
    const logger = new CapturingLogger();
    const { store } = await openStore(dir, { segmentSize: 4096, logger });
    await store.putQueue(queueDef('q'));
    store.append('//q', message(1, 200));
    await store.sync();
    await rm(join(dir, 'messages'), { recursive: true }); // the next segment cannot be created
    for (let id = 2; id < 40; id++) store.append('//q', message(id, 200));
    await expect(store.sync()).rejects.toThrow(/cannot write segment .*messages\/\d{10}\.seg/);
    expect(() => store.append('//q', message(99))).toThrow(/cannot write segment/);
    await expect(store.sync()).rejects.toThrow(StoreError);
    expect(logger.errors[0]).toMatch(/the store accepts no more writes/);
    await store.close();
  });

  it('refuses an exchange name longer than a short string, and keeps working', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    expect(() => store.append('//q', { ...message(1), exchange: 'x'.repeat(300) })).toThrow(
      /exchange is longer than 255 bytes/,
    );
    const ref = store.append('//q', message(2));
    await store.sync();
    expect(await store.read(ref)).toEqual(message(2));
    await store.close();
  });
});
