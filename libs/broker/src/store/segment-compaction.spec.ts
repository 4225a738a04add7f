/**
 * Compaction rewrites a mostly-removed segment as a new generation of its file. The
 * crash cases are the states a kill -9 can leave on disk, built here from the files
 * of a real run: recovery must return every live message exactly once, in order.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeAckEntries } from './ack-entries';
import type { FileStore } from './file-store';
import { openFileStore } from './file-store';
import {
  CapturingLogger,
  directoryBytes,
  listFiles,
  message,
  messagesDir,
  queueDef,
  tempDataDir,
} from './testing/store-fixtures';
import type { DurableStore, MessageRef, RecoveredState } from './types';

const SEGMENT_SIZE = 4096;
const TOTAL = 200;
/** Kept (never removed): a few in each of several segments. */
const KEPT = [3, 40, 41, 95, 150, 151, 152, 199];

async function open(dir: string): Promise<{ store: FileStore; state: RecoveredState }> {
  const store = openFileStore({
    dataDir: dir,
    segmentSize: SEGMENT_SIZE,
    compactionIntervalMs: 0, // the specs call compact() themselves
    logger: new CapturingLogger(),
  }) as FileStore;
  const state = await store.open();
  return { store, state };
}

function ids(state: RecoveredState, queue = '//q'): number[] {
  return (state.messages.get(queue) ?? []).map((m) => m.message.body.readUInt32BE(0));
}

function expectExact(state: RecoveredState, expected: number[]): void {
  expect(ids(state)).toEqual(expected);
  for (const m of state.messages.get('//q')!) {
    const id = m.message.body.readUInt32BE(0);
    expect(m.message).toEqual(message(id, 200));
  }
}

describe('segment compaction', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  /** TOTAL messages over many small segments, all but KEPT removed, acks made durable. */
  async function mostlyRemoved(kept = KEPT): Promise<{ store: FileStore; refs: MessageRef[] }> {
    const { store } = await open(dir);
    await store.putQueue(queueDef('q'));
    const refs: MessageRef[] = [];
    for (let id = 0; id < TOTAL; id++) refs.push(store.append('//q', message(id, 200)));
    await store.sync();
    for (let id = 0; id < TOTAL; id++) if (!kept.includes(id)) store.remove('//q', refs[id]!);
    return { store, refs };
  }

  it('rewrites mostly-removed segments smaller, keeps serving the refs the broker holds, and recovers exactly the live messages', async () => {
    const { store, refs } = await mostlyRemoved();
    await store.sync();
    const before = await directoryBytes(messagesDir(dir));
    const rewritten = await store.compact();
    expect(rewritten).toBeGreaterThanOrEqual(4); // the segments holding KEPT, bar the current one
    const after = await directoryBytes(messagesDir(dir));
    expect(after).toBeLessThan(before / 2);
    expect(await listFiles(messagesDir(dir), '.tmp')).toEqual([]);
    expect((await listFiles(messagesDir(dir), '.seg')).some((n) => n.includes('-0001'))).toBe(true);

    // the refs from before the rewrite still read the right messages
    const kept = KEPT.map((id) => refs[id]!);
    expect((await store.readMany(kept)).map((m) => m.body.readUInt32BE(0))).toEqual(KEPT);
    for (const ref of kept) expect(store.isReadable(ref)).toBe(true);
    expect(store.readSync(refs[150]!)).toEqual(message(150, 200));
    expect(store.isReadable(refs[4]!)).toBe(false); // removed before: not copied

    // a removal after the rewrite lands in the new generation's ack file
    store.remove('//q', refs[41]!);
    await store.close();
    const { store: reopened, state } = await open(dir);
    expectExact(
      state,
      KEPT.filter((id) => id !== 41),
    );
    // and compacting again (records in the rewritten files) changes nothing for the broker
    await reopened.compact();
    await reopened.close();
    const { store: third, state: again } = await open(dir);
    expectExact(
      again,
      KEPT.filter((id) => id !== 41),
    );
    await third.close();
  });

  describe('after a kill -9 at each step', () => {
    interface Stages {
      /** name -> path of the message files before compaction ran and after it completed */
      old: Map<string, string>;
      rewritten: Map<string, string>;
      refs: MessageRef[];
    }

    async function stages(): Promise<Stages> {
      const { store, refs } = await mostlyRemoved();
      await store.close(); // removals durable
      const old = await snapshot('old');
      const { store: again } = await open(dir);
      expect(await again.compact()).toBeGreaterThan(0);
      await again.close();
      return { old, rewritten: await snapshot('rewritten'), refs };
    }

    async function snapshot(name: string): Promise<Map<string, string>> {
      const to = join(dir, name);
      await mkdir(to);
      const files = new Map<string, string>();
      for (const file of await readdir(messagesDir(dir))) {
        await copyFile(join(messagesDir(dir), file), join(to, file));
        files.set(file, join(to, file));
      }
      return files;
    }

    /** Puts exactly these files (name -> source) in place and recovers. */
    async function recoverFrom(files: Map<string, string>): Promise<number[]> {
      const live = messagesDir(dir);
      await rm(live, { recursive: true, force: true });
      await mkdir(live);
      for (const [name, source] of files) await copyFile(source, join(live, name));
      const { store, state } = await open(dir);
      await store.close();
      return ids(state);
    }

    const rewrittenSegments = (s: Stages) =>
      [...s.rewritten.keys()].filter((name) => /-\d{4}\.seg$/.test(name));

    it('while the copy is being written (.tmp files, one of them torn): the old generation counts and the .tmp files go', async () => {
      const s = await stages();
      const files = new Map(s.old);
      for (const name of rewrittenSegments(s)) files.set(`${name}.tmp`, s.rewritten.get(name)!);
      const [first] = rewrittenSegments(s);
      const torn = join(dir, 'torn');
      const bytes = await readFile(s.rewritten.get(first!)!);
      await writeFile(torn, bytes.subarray(0, bytes.length >> 1));
      files.set(`${first}.tmp`, torn);

      expect(await recoverFrom(files)).toEqual(KEPT);
      expect(await listFiles(messagesDir(dir), '.tmp')).toEqual([]);
    });

    it('after the new ack file, before the rename: the orphan ack is deleted, never applied to the old file', async () => {
      const s = await stages();
      const files = new Map(s.old);
      // orphan generation-1 ack files naming the generation-0 position of every kept record
      const bySegment = new Map<number, number[]>();
      for (const id of KEPT) {
        const ref = s.refs[id]!;
        bySegment.set(ref.segment, [...(bySegment.get(ref.segment) ?? []), ref.position]);
      }
      for (const [segment, positions] of bySegment) {
        const path = join(dir, `orphan-${segment}`);
        await writeFile(path, encodeAckEntries(positions));
        files.set(`${String(segment).padStart(10, '0')}-0001.ack`, path);
      }
      expect(await recoverFrom(files)).toEqual(KEPT);
      expect((await readdir(messagesDir(dir))).filter((n) => n.includes('-0001'))).toEqual([]);
    });

    it('after the rename, before the old generation is deleted: the new one counts, once, and the old files go', async () => {
      const s = await stages();
      const files = new Map([...s.old, ...s.rewritten]);
      expect(await recoverFrom(files)).toEqual(KEPT);
      const segments = await listFiles(messagesDir(dir), '.seg');
      const idsOnDisk = segments.map((name) => name.slice(0, 10));
      expect(new Set(idsOnDisk).size).toBe(idsOnDisk.length); // one generation per segment
      expect(segments.some((name) => name.includes('-0001'))).toBe(true);
    });
  });

  it('keeps removals made while a segment is being copied: they go to the new generation too', async () => {
    // two kept in the first segment (the lowest live share: rewritten first), three later
    const kept = [3, 4, 40, 41, 42];
    const { store, refs } = await mostlyRemoved(kept);
    await store.sync();
    expect(refs[4]!.segment).toBe(refs[3]!.segment);
    const compacting = store.compact(); // the first rewrite took its snapshot already
    store.remove('//q', refs[4]!);
    expect(await compacting).toBe(2);
    await store.close();
    const { store: reopened, state } = await open(dir);
    expectExact(state, [3, 40, 41, 42]);
    await reopened.close();
  });

  it('the timer rewrites segments once no removal touched them for an interval', async () => {
    const store = openFileStore({
      dataDir: dir,
      segmentSize: SEGMENT_SIZE,
      compactionIntervalMs: 50,
      logger: new CapturingLogger(),
    }) as DurableStore;
    await store.open();
    await store.putQueue(queueDef('q'));
    const refs: MessageRef[] = [];
    for (let id = 0; id < TOTAL; id++) refs.push(store.append('//q', message(id, 200)));
    await store.sync();
    for (let id = 0; id < TOTAL; id++) if (!KEPT.includes(id)) store.remove('//q', refs[id]!);
    await store.sync();
    const before = await directoryBytes(messagesDir(dir));
    // the timer rewrites them once they have been quiet for an interval
    const deadline = Date.now() + 5000;
    while (!(await readdir(messagesDir(dir))).some((n) => n.includes('-0001'))) {
      if (Date.now() > deadline) throw new Error('no segment was compacted by the timer');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await directoryBytes(messagesDir(dir))).toBeLessThan(before / 2);
    await store.close();
    const { store: reopened, state } = await open(dir);
    expectExact(state, KEPT);
    await reopened.close();
  });
});
