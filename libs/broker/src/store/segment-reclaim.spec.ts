import {
  directoryBytes,
  listFiles,
  message,
  messagesDir,
  openStore,
  queueDef,
  tempDataDir,
  waitFor,
} from './testing/store-fixtures';
import type { MessageRef } from './types';

const SEGMENT_SIZE = 4096;

describe('segment rollover and reclamation', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  async function filled(count: number) {
    const opened = await openStore(dir, { segmentSize: SEGMENT_SIZE });
    await opened.store.putQueue(queueDef('q'));
    const refs: MessageRef[] = [];
    for (let id = 0; id < count; id++) refs.push(opened.store.append('//q', message(id, 200)));
    await opened.store.sync();
    return { store: opened.store, refs };
  }

  it('rolls over to a new segment file once the next record would pass the size', async () => {
    const { store, refs } = await filled(100);
    const segments = await listFiles(messagesDir(dir), '.seg');
    expect(segments.length).toBe(new Set(refs.map((r) => r.segment)).size);
    expect(segments.length).toBeGreaterThan(5);
    for (const ref of refs) expect(ref.position + ref.length).toBeLessThanOrEqual(SEGMENT_SIZE);
    expect(store.stats().segments).toBe(segments.length);
    await store.close();
  });

  it('deletes segment files once all their messages are removed, and disk usage drops', async () => {
    const { store, refs } = await filled(100);
    const before = await directoryBytes(messagesDir(dir));
    const statsBefore = store.stats().bytesOnDisk;
    for (const ref of refs) store.remove('//q', ref);

    // Only the segment still being appended to stays (it may get more records).
    await waitFor(async () => expect(await listFiles(messagesDir(dir), '.seg')).toHaveLength(1));
    expect(await listFiles(messagesDir(dir), '.ack')).toHaveLength(1);
    const after = await directoryBytes(messagesDir(dir));
    expect(after).toBeLessThan(SEGMENT_SIZE * 2);
    expect(after).toBeLessThan(before / 5);
    expect(store.stats()).toMatchObject({ segments: 1, liveMessages: 0 });
    expect(store.stats().bytesOnDisk).toBeLessThan(statsBefore / 5);
    await store.close();

    const { store: reopened, state } = await openStore(dir, { segmentSize: SEGMENT_SIZE });
    expect(state.messages.get('//q')).toEqual([]);
    expect(await listFiles(messagesDir(dir), '.seg')).toEqual([]); // nothing live: reclaimed on open
    await reopened.close();
  });

  it('keeps a segment while one of its messages is live', async () => {
    const { store, refs } = await filled(100);
    const keep = refs[40];
    for (const ref of refs) if (ref !== keep) store.remove('//q', ref);
    const keepFile = `${String(keep.segment).padStart(10, '0')}.seg`;
    await waitFor(async () =>
      expect(await listFiles(messagesDir(dir), '.seg')).toEqual(
        [keepFile, `${String(refs[99].segment).padStart(10, '0')}.seg`].sort(),
      ),
    );
    expect(await store.read(keep)).toEqual(message(40, 200));
    await store.close();

    const { store: reopened, state } = await openStore(dir, { segmentSize: SEGMENT_SIZE });
    expect(state.messages.get('//q')!.map((m) => m.message)).toEqual([message(40, 200)]);
    await reopened.close();
  });

  it('reclaims a segment whose messages were removed before they were even written', async () => {
    const { store } = await openStore(dir, { segmentSize: SEGMENT_SIZE });
    await store.putQueue(queueDef('q'));
    for (let id = 0; id < 100; id++) store.remove('//q', store.append('//q', message(id, 200)));
    await store.sync();
    await waitFor(async () => expect(await listFiles(messagesDir(dir), '.seg')).toHaveLength(1));
    expect(store.stats().liveMessages).toBe(0);
    await store.close();
  });

  it('a read of a message whose segment was reclaimed fails with a clear error', async () => {
    const { store, refs } = await filled(60);
    for (const ref of refs) store.remove('//q', ref);
    await waitFor(() => expect(store.stats().segments).toBe(1));
    await expect(store.read(refs[0])).rejects.toThrow(
      `message ${refs[0].segment}:${refs[0].position} is not stored`,
    );
    await store.close();
  });
});
