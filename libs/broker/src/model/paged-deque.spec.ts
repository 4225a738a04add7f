import fc from 'fast-check';
import { PagedDeque, type PagedRecord } from './paged-deque';

describe('PagedDeque', () => {
  it('gives back exactly what was pushed, in order, across chunks and seq gaps', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('push' as const),
              gap: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(2 ** 33)),
              ttl: fc.option(fc.integer({ min: 0, max: 1e6 })),
              size: fc.nat(1 << 20),
            }),
            fc.record({
              op: fc.constant('shift' as const),
              times: fc.integer({ min: 1, max: 1500 }),
            }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const deque = new PagedDeque();
          const model: PagedRecord[] = [];
          let seq = 1;
          for (const op of ops) {
            if (op.op === 'push') {
              for (let k = 0; k < 700; k++) {
                seq += op.gap;
                const record: PagedRecord = {
                  ref: { segment: seq % 97, position: (seq * 31) % 2 ** 30, length: 20 + k },
                  size: op.size,
                  seq,
                  expiresAt: op.ttl === null ? Infinity : 1.7e12 + op.ttl + k,
                  transient: (seq + k) % 3 === 0,
                };
                deque.push(record.ref, record.size, record.seq, record.expiresAt, record.transient);
                model.push(record);
              }
            } else {
              for (let k = 0; k < op.times; k++) expect(deque.shift()).toEqual(model.shift());
            }
            expect(deque.length).toBe(model.length);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('lists the refs of records in the paging area (to release them on purge)', () => {
    const deque = new PagedDeque();
    for (let seq = 1; seq <= 3000; seq++) {
      deque.push({ segment: 1, position: seq, length: 10 }, 1, seq, Infinity, seq % 2 === 0);
    }
    for (let k = 0; k < 1100; k++) deque.shift(); // the first chunk is gone, the second started
    const released: number[] = [];
    deque.forEachTransient((ref) => released.push(ref.position));
    const expected: number[] = [];
    for (let seq = 1101; seq <= 3000; seq++) if (seq % 2 === 0) expected.push(seq);
    expect(released).toEqual(expected);
  });
});
