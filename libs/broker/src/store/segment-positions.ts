/** Marks a removed slot: record positions stay far below it (segments are at most 1 GiB). */
const REMOVED = 0xffffffff;
const INITIAL_CAPACITY = 16;

/**
 * The live record positions one queue has in one segment: a sorted Uint32Array
 * (appends only ever grow the position) with removed slots marked, compacted once
 * half of it is removed. About 4-8 bytes a message instead of a Set entry's ~30, which
 * matters when a million messages sit paged out on disk.
 */
export class SegmentPositions {
  private positions = new Uint32Array(INITIAL_CAPACITY);
  /** Slots [start, end) are in use; removed ones hold REMOVED. */
  private start = 0;
  private end = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  add(position: number): void {
    if (this.end > this.start && this.positions[this.end - 1]! >= position) {
      this.insertOutOfOrder(position);
      return;
    }
    if (this.end === this.positions.length) this.makeRoom();
    this.positions[this.end++] = position;
    this.live++;
  }

  /** False when the position is not (or no longer) live here. */
  delete(position: number): boolean {
    const index = this.indexOf(position);
    if (index < 0) return false;
    this.positions[index] = REMOVED;
    this.live--;
    // removals mostly come in queue order: skip the removed prefix at once
    while (this.start < this.end && this.positions[this.start] === REMOVED) this.start++;
    if (this.live === 0) this.start = this.end = 0;
    else if (this.live * 2 < this.end - this.start && this.end - this.start > 64) this.compact();
    return true;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = this.start; i < this.end; i++) {
      const position = this.positions[i]!;
      if (position !== REMOVED) yield position;
    }
  }

  /** Binary search over the sorted live slots, stepping over removed ones. */
  private indexOf(position: number): number {
    const positions = this.positions;
    if (this.start < this.end && positions[this.start] === position) return this.start;
    let low = this.start;
    let high = this.end - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      // a removed slot: look for the nearest live one to compare with
      let probe = mid;
      while (probe <= high && positions[probe] === REMOVED) probe++;
      if (probe > high) {
        high = mid - 1;
        continue;
      }
      const value = positions[probe]!;
      if (value === position) return probe;
      if (value < position) low = probe + 1;
      else high = mid - 1;
    }
    return -1;
  }

  /** Rare (appends grow positions): keeps the slots sorted, ignores a position already live. */
  private insertOutOfOrder(position: number): void {
    this.compact();
    let low = 0;
    let high = this.end;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.positions[mid]! < position) low = mid + 1;
      else high = mid;
    }
    if (low < this.end && this.positions[low] === position) return;
    if (this.end === this.positions.length) this.makeRoom();
    this.positions.copyWithin(low + 1, low, this.end);
    this.positions[low] = position;
    this.end++;
    this.live++;
  }

  /** Moves the live slots to the front, growing the array only when it is mostly live. */
  private makeRoom(): void {
    if (this.live * 2 <= this.positions.length) {
      this.compact();
      if (this.end < this.positions.length) return;
    }
    const grown = new Uint32Array(this.positions.length * 2);
    grown.set(this.positions.subarray(this.start, this.end));
    this.end -= this.start;
    this.start = 0;
    this.positions = grown;
  }

  private compact(): void {
    let out = 0;
    for (let i = this.start; i < this.end; i++) {
      const position = this.positions[i]!;
      if (position !== REMOVED) this.positions[out++] = position;
    }
    this.start = 0;
    this.end = out;
    if (this.positions.length > INITIAL_CAPACITY && out * 4 < this.positions.length) {
      this.positions = this.positions.slice(0, Math.max(INITIAL_CAPACITY, out * 2));
    }
  }
}
