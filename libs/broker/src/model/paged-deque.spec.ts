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
                };
                deque.push(record.ref, record.size, record.seq, record.expiresAt);
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
});
