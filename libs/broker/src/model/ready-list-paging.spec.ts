import { MemoryBudget } from './memory-budget';
import type { Message } from './message';
import { QueueEntry } from './queue-entry';
import { ReadyList } from './ready-list';
import { message } from './testing/fakes';

/** Budget whose window is the minimum (16 entries). */
const SMALL = 1;

const noTransient = (): never => {
  throw new Error('only persisted entries here');
};

function entry(seq: number, priority = 0): QueueEntry {
  const m = message(`m${seq}`, { priority });
  return new QueueEntry(m, seq, Infinity, { segment: 1, position: seq * 100, length: 100 });
}

/** Takes everything, reading paged records back whenever the head is on disk (as a queue does). */
function drain(list: ReadyList, byPosition: Map<number, Message>): string[] {
  const out: string[] = [];
  while (list.length > 0) {
    const e = list.shift();
    if (e !== undefined) out.push(e.message.body.toString());
    else readBack(list, byPosition);
  }
  return out;
}

/** Reads a batch back as the store would: the messages the refs point at. */
function readBack(list: ReadyList, byPosition: Map<number, Message>): void {
  for (let batch = list.startLoad(); batch; batch = list.startLoad()) {
    const messages = batch.records.slice(batch.taken).map((r) => byPosition.get(r.ref.position)!);
    expect(list.completeLoad(batch, messages, batch.taken)).toBe(true);
  }
}

describe('ReadyList paging', () => {
  it('pages out behind the head window, charges only what stays in memory, and reads back in order', () => {
    const budget = new MemoryBudget(SMALL);
    const list = new ReadyList(0, budget);
    const byPosition = new Map<number, Message>();
    for (let seq = 1; seq <= 100; seq++) {
      const e = entry(seq);
      byPosition.set(e.ref!.position, e.message);
      list.push(e);
    }
    const charged = budget.used;
    expect(list.pageOut(1000, () => true, noTransient)).toBe(100 - budget.window);
    expect(list.paged).toBe(84);
    expect(budget.paged).toBe(84);
    expect(budget.used).toBeLessThan(charged / 5);
    expect(list.length).toBe(100);

    // the in-memory window drains, then the head is paged: shift stops there
    const head: string[] = [];
    for (let i = 0; i < 16; i++) head.push(list.shift()!.message.body.toString());
    expect(list.shift()).toBeUndefined();
    expect(list.length).toBe(84);
    expect([...head, ...drain(list, byPosition)]).toEqual(
      Array.from({ length: 100 }, (_, i) => `m${i + 1}`),
    );
    expect(budget.used).toBe(0);
    expect(budget.paged).toBe(0);
  });

  it('stops paging at the first entry it may not page, keeping order', () => {
    const list = new ReadyList(0, new MemoryBudget(SMALL));
    for (let seq = 1; seq <= 40; seq++) list.push(entry(seq));
    expect(list.pageOut(1000, (e) => e.seq !== 30, noTransient)).toBe(13); // 17..29
    expect(list.pageOut(1000, () => true, noTransient)).toBe(11); // 30..40, later
    expect(list.paged).toBe(24);
  });

  it('puts a requeued entry before paged records and arrivals, and basic.get-style takes skip a batch in flight', () => {
    const list = new ReadyList(0, new MemoryBudget(SMALL));
    const byPosition = new Map<number, Message>();
    for (let seq = 1; seq <= 60; seq++) {
      const e = entry(seq);
      byPosition.set(e.ref!.position, e.message);
      list.push(e);
    }
    list.pageOut(1000, () => true, noTransient);
    const delivered: QueueEntry[] = [];
    for (let e = list.shift(); e !== undefined; e = list.shift()) delivered.push(e);
    expect(delivered).toHaveLength(16);
    list.push(entry(61)); // arrives behind the paged ones
    const batch = list.startLoad()!;
    expect(list.shiftPaged()!.seq).toBe(17); // taken while the batch is being read
    list.requeue(delivered[3]!);
    const messages = batch.records.slice(batch.taken).map((r) => byPosition.get(r.ref.position)!);
    list.completeLoad(batch, messages, batch.taken);
    expect(drain(list, byPosition)).toEqual([
      'm4',
      ...Array.from({ length: 43 }, (_, i) => `m${i + 18}`),
      'm61',
    ]);
  });

  it('drops a batch that was being read when the list was cleared', () => {
    const list = new ReadyList(0, new MemoryBudget(SMALL));
    for (let seq = 1; seq <= 60; seq++) list.push(entry(seq));
    list.pageOut(1000, () => true, noTransient);
    for (let i = 0; i < 16; i++) list.shift();
    const batch = list.startLoad()!;
    expect(list.clear()).toHaveLength(0);
    expect(list.completeLoad(batch, [], 0)).toBe(false);
    expect(list.length).toBe(0);
    expect(list.paged).toBe(0);
  });

  it('does not deliver a lower priority while a higher one waits for its paged head', () => {
    const list = new ReadyList(5, new MemoryBudget(SMALL));
    for (let seq = 1; seq <= 40; seq++) list.push(entry(seq, 5));
    list.push(entry(41, 1));
    list.pageOut(1000, (e) => e.priority === 5, noTransient);
    for (let i = 0; i < 16; i++) expect(list.shift()!.priority).toBe(5);
    expect(list.shift()).toBeUndefined();
    expect(list.length).toBe(25);
  });

  it('writes transient entries to the paging area in order with persisted ones, and hands their refs back on clear', () => {
    const list = new ReadyList(0, new MemoryBudget(SMALL));
    const written: Message[] = [];
    for (let seq = 1; seq <= 60; seq++) {
      const e =
        seq % 2 === 0 ? entry(seq) : new QueueEntry(message(`m${seq}`), seq, Infinity, undefined);
      list.push(e);
    }
    const paged = list.pageOut(
      1000,
      () => true,
      (e) => {
        written.push(e.message);
        return { segment: 900, position: written.length, length: 1 };
      },
    );
    expect(paged).toBe(44);
    expect(written.map((m) => m.body.toString())).toEqual(
      Array.from({ length: 22 }, (_, i) => `m${17 + 2 * i}`), // the odd seqs behind the window
    );
    for (let i = 0; i < 16; i++) list.shift();
    const batch = list.startLoad()!;
    expect(batch.records.map((r) => r.transient)).toEqual(
      batch.records.map((r) => r.seq % 2 === 1),
    );
    const released: number[] = [];
    list.clear((ref) => released.push(ref.position));
    expect(released.sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });
});
