import { SlabBatch } from './slab-batch';

function append<F>(batch: SlabBatch<F>, file: F, position: number, text: string): void {
  batch.target(file, position);
  batch.reserve(text.length);
  batch.slab.write(text, batch.offset, 'latin1');
  batch.advance(text.length);
}

const bytesOf = (chunks: Buffer[]) => Buffer.concat(chunks).toString('latin1');

describe('SlabBatch', () => {
  it('groups consecutive appends into one write per file, in order, as views of the slab', () => {
    const batch = new SlabBatch<string>();
    expect(batch.isEmpty).toBe(true);
    append(batch, 'a', 0, 'one');
    append(batch, 'a', 3, 'two');
    append(batch, 'b', 100, 'three');
    append(batch, 'a', 6, 'four'); // back to a: a new write (a's first one is closed)
    const writes = batch.take();
    expect(writes.map((w) => [w.file, w.position, w.bytes, bytesOf(w.chunks)])).toEqual([
      ['a', 0, 6, 'onetwo'],
      ['b', 100, 5, 'three'],
      ['a', 6, 4, 'four'],
    ]);
    expect(writes[0]!.chunks[0]!.buffer).toBe(writes[1]!.chunks[0]!.buffer);
    expect(batch.isEmpty).toBe(true);
    expect(batch.take()).toEqual([]);
  });

  it('starts a new slab when a record does not fit, never splitting a record', () => {
    const batch = new SlabBatch<string>();
    append(batch, 'a', 0, 'x'.repeat(1024 * 1024 - 2));
    append(batch, 'a', 1024 * 1024 - 2, 'yyyy');
    const [write] = batch.take();
    expect(write!.chunks.map((c) => c.length)).toEqual([1024 * 1024 - 2, 4]);
    expect(write!.bytes).toBe(1024 * 1024 + 2);
  });

  it('shows pending writes complete without handing them over', () => {
    const batch = new SlabBatch<string>();
    append(batch, 'a', 0, 'abc');
    expect(bytesOf([...batch.pending()[0]!.chunks])).toBe('abc');
    append(batch, 'a', 3, 'def');
    expect(bytesOf(batch.take()[0]!.chunks)).toBe('abcdef');
  });
});
