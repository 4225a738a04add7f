import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PagingStore } from './paging-store';
import { CapturingLogger, message, tempDataDir, waitFor } from './testing/store-fixtures';
import type { MessageRef } from './types';

describe('PagingStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDataDir()));
  afterEach(() => cleanup());

  it('reads records back byte for byte, from the write buffer before they are written and from the file after', async () => {
    const store = await PagingStore.open(join(dir, 'paging'), { fileSize: 4096 });
    const refs: MessageRef[] = [];
    for (let id = 0; id < 50; id++) refs.push(store.write(message(id, 300)));
    // nothing is written yet (the flush runs on a later turn): served from memory
    expect(store.unwrittenBytes).toBeGreaterThan(0);
    expect(store.readSync(refs[7]!).body).toEqual(message(7, 300).body);

    const all = await store.readMany(refs);
    expect(all.map((m) => m.body)).toEqual(refs.map((_, id) => message(id, 300).body));
    expect(all[3]!.routingKey).toBe(message(3, 300).routingKey);
    await store.written();
    expect(store.unwrittenBytes).toBe(0);
    expect(store.readSync(refs[49]!).body).toEqual(message(49, 300).body);
    expect(store.stats().files).toBeGreaterThan(3); // 4 KiB files roll over
    await store.close();
  });

  it('deletes a file once every record in it is released, and all files on close', async () => {
    const pagingDir = join(dir, 'paging');
    const store = await PagingStore.open(pagingDir, { fileSize: 4096 });
    const refs: MessageRef[] = [];
    for (let id = 0; id < 40; id++) refs.push(store.write(message(id, 300)));
    await store.written();
    const files = (await readdir(pagingDir)).length;
    expect(files).toBe(store.stats().files);
    const firstFile = refs.filter((r) => r.segment === refs[0]!.segment);
    for (const ref of firstFile) store.release(ref);
    await waitFor(async () => expect((await readdir(pagingDir)).length).toBe(files - 1));
    expect(store.stats().live).toBe(40 - firstFile.length);
    await expect(store.readMany([refs[0]!])).rejects.toThrow(/released/);
    await store.close();
    expect(await readdir(pagingDir)).toEqual([]);
  });

  it('deletes paging files a previous run left behind, and nothing else', async () => {
    const pagingDir = join(dir, 'paging');
    const first = await PagingStore.open(pagingDir);
    first.write(message(1));
    await first.written();
    // as after a kill -9: the files stay
    await writeFile(join(pagingDir, 'keep.txt'), 'x');
    expect((await readdir(pagingDir)).sort()).toEqual(['0000000001.page', 'keep.txt']);
    const second = await PagingStore.open(pagingDir);
    expect(await readdir(pagingDir)).toEqual(['keep.txt']);
    await second.close();
  });

  it('uses a temporary directory when asked, and removes it on close', async () => {
    const store = await PagingStore.openTemporary({ logger: new CapturingLogger() });
    store.write(message(1));
    await store.written();
    expect((await stat(store.dir)).isDirectory()).toBe(true);
    await store.close();
    await expect(stat(store.dir)).rejects.toThrow(/ENOENT/);
  });

  it('names the bad setting', async () => {
    await expect(PagingStore.open(join(dir, 'p'), { fileSize: 10 })).rejects.toThrow(
      /paging fileSize must be an integer of at least 1024 bytes, got 10/,
    );
  });
});
