import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeAckEntries } from './ack-entries';
import { encodeRecord, recordSize } from './message-record';
import { SEGMENT_HEADER } from './segment-files';
import {
  CapturingLogger,
  listFiles,
  message,
  messagesDir,
  openStore,
  queueDef,
  tempDataDir,
} from './testing/store-fixtures';
import type { MessageRef } from './types';

describe('message recovery', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  /** Writes `count` messages to queue q in one segment and closes the store. */
  async function seed(count: number): Promise<{ refs: MessageRef[]; segment: string }> {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    const refs = Array.from({ length: count }, (_, id) => store.append('//q', message(id)));
    await store.sync();
    await store.close();
    const [segment] = await listFiles(messagesDir(dir), '.seg');
    return { refs, segment: join(messagesDir(dir), segment) };
  }

  function ids(state: Awaited<ReturnType<typeof openStore>>['state']): number[] {
    return (state.messages.get('//q') ?? []).map((m) => m.message.body.readUInt32BE(0));
  }

  it.each([
    ['half a record', (full: Buffer) => full.subarray(0, 30)],
    ['a frame header only', (full: Buffer) => full.subarray(0, 8)],
    ['garbage', () => Buffer.from('\x00\x01garbage-from-a-torn-write')],
    ['a whole record with a broken checksum', (full: Buffer) => flip(full, full.length - 1)],
  ])('truncates a torn tail (%s) and keeps everything before it', async (_name, tail) => {
    const { segment } = await seed(5);
    const cleanSize = (await stat(segment)).size;
    await appendFile(segment, tail(encodedRecord(message(77))));

    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([0, 1, 2, 3, 4]);
    expect(logger.warnings.join('\n')).toContain(
      `torn record at the tail of ${segment} at offset ${cleanSize}`,
    );
    expect(logger.errors).toEqual([]);
    expect((await stat(segment)).size).toBe(cleanSize);

    // New writes go to a fresh segment and survive the next reopen with the old ones.
    store.append('//q', message(5));
    await store.sync();
    await store.close();
    const { store: again, state: after } = await openStore(dir);
    expect(ids(after)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await listFiles(messagesDir(dir), '.seg')).toHaveLength(2);
    await again.close();
  });

  it('skips and reports a corrupt record in the middle of a segment', async () => {
    const { refs, segment } = await seed(5);
    const bytes = await readFile(segment);
    const bad = refs[2];
    await writeFile(segment, flip(bytes, bad.position + bad.length - 3));

    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([0, 1, 3, 4]);
    expect(logger.errors).toEqual([
      `corrupt record in ${segment} at offset ${bad.position} (bad-crc): skipped ${bad.length} bytes`,
    ]);
    await expect(store.read(bad)).rejects.toThrow(
      `corrupt record in ${segment} at offset ${bad.position}`,
    );
    await store.close();
  });

  it('resynchronises after a damaged length field', async () => {
    const { refs, segment } = await seed(4);
    const bytes = await readFile(segment);
    bytes.writeUInt32BE(0x7fffffff, refs[1].position + 8);
    await writeFile(segment, bytes);
    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([0, 2, 3]);
    expect(logger.errors[0]).toContain(`at offset ${refs[1].position} (truncated)`);
    await store.close();
  });

  it('ignores a torn ack entry and reports a corrupt one (the message comes back)', async () => {
    const { refs, segment } = await seed(4);
    const ackFile = segment.replace(/\.seg$/, '.ack');
    const entries = encodeAckEntries([refs[0].position, refs[1].position, refs[2].position]);
    entries[9] ^= 0xff; // second entry's check word
    await writeFile(ackFile, Buffer.concat([entries, Buffer.from([1, 2, 3])]));
    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([1, 3]);
    expect(logger.errors).toEqual([`corrupt ack entry in ${ackFile} at offset 8: ignored`]);
    await store.close();
  });

  it('deletes a segment that crashed before its header was complete', async () => {
    await seed(2);
    const stub = join(messagesDir(dir), '0000000099.seg');
    await writeFile(stub, SEGMENT_HEADER.subarray(0, 3));
    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([0, 1]);
    expect(await listFiles(messagesDir(dir), '.seg')).not.toContain('0000000099.seg');
    expect(logger.warnings[0]).toContain('has no complete header');
    await store.close();
  });

  it('moves a file with a foreign header aside instead of reading or deleting it', async () => {
    await seed(1);
    const foreign = join(messagesDir(dir), '0000000050.seg');
    await writeFile(foreign, 'definitely not a segment');
    const logger = new CapturingLogger();
    const { store, state } = await openStore(dir, { logger });
    expect(ids(state)).toEqual([0]);
    expect(await listFiles(messagesDir(dir), '.corrupt')).toEqual(['0000000050.seg.corrupt']);
    expect(logger.errors[0]).toContain('is not a Surety segment');
    await store.close();
  });

  it('drops messages of queues that are no longer defined', async () => {
    const { store } = await openStore(dir);
    await store.putQueue(queueDef('q'));
    store.append('//ghost', message(1)); // never declared: the broker would not do this
    store.append('//q', message(2));
    await store.sync();
    await store.close();
    const { store: reopened, state } = await openStore(dir);
    expect([...state.messages.keys()]).toEqual(['//q']);
    expect(reopened.stats().liveMessages).toBe(1);
    await reopened.close();
    const { store: third, state: again } = await openStore(dir);
    expect(again.messages.get('//q')!.map((m) => m.message)).toEqual([message(2)]);
    await third.close();
  });

  it('recovers a segment cut anywhere without inventing or losing whole records', async () => {
    const { refs, segment } = await seed(6);
    const full = await readFile(segment);
    for (let cut = SEGMENT_HEADER.length; cut < full.length; cut += 17) {
      await writeFile(segment, full.subarray(0, cut));
      await removeAck(segment);
      const { store, state } = await openStore(dir);
      const whole = refs.filter((r) => r.position + r.length <= cut).length;
      expect(ids(state)).toEqual(Array.from({ length: whole }, (_, i) => i));
      await store.close(); // nothing appended: no new segment to clean up before the next cut
    }
  });
});

function encodedRecord(m: ReturnType<typeof message>): Buffer {
  const key = Buffer.from('//q');
  const buf = Buffer.alloc(recordSize(key, m));
  encodeRecord(buf, 0, key, m);
  return buf;
}

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] ^= 0x5a;
  return copy;
}

async function removeAck(segment: string): Promise<void> {
  await writeFile(segment.replace(/\.seg$/, '.ack'), '');
}
