/**
 * A growable ring buffer: O(1) push/shift/unshift at both ends, so queues never
 * pay Array.shift's O(n) per message. Capacity is a power of two so the index
 * wraps with a mask instead of a modulo.
 */
export class Deque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.items = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  unshift(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  pop(): T | undefined {
    if (this.size === 0) return undefined;
    const index = (this.head + this.size - 1) & this.mask;
    const item = this.items[index];
    this.items[index] = undefined;
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  peekLast(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.head + this.size - 1) & this.mask];
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return this.items[(this.head + index) & this.mask];
  }

  /** Inserts before `index` (0 = front, length = back), moving the shorter side. */
  insert(index: number, item: T): void {
    if (index <= 0) return this.unshift(item);
    if (index >= this.size) return this.push(item);
    if (this.size === this.items.length) this.grow();
    if (index < this.size / 2) {
      this.head = (this.head - 1) & this.mask;
      for (let i = 0; i < index; i++) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i + 1) & this.mask];
      }
    } else {
      for (let i = this.size; i > index; i--) {
        this.items[(this.head + i) & this.mask] = this.items[(this.head + i - 1) & this.mask];
      }
    }
    this.items[(this.head + index) & this.mask] = item;
    this.size++;
  }

  /** Removes and returns the item at `index` (used for rare out-of-order removals). */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.size) return undefined;
    const item = this.items[(this.head + index) & this.mask];
    for (let i = index; i < this.size - 1; i++) {
      this.items[(this.head + i) & this.mask] = this.items[(this.head + i + 1) & this.mask];
    }
    this.items[(this.head + this.size - 1) & this.mask] = undefined;
    this.size--;
    return item;
  }

  clear(): void {
    this.items = new Array<T | undefined>(16);
    this.mask = 15;
    this.head = 0;
    this.size = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.items[(this.head + i) & this.mask] as T;
  }

  private grow(): void {
    const capacity = this.items.length * 2;
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
