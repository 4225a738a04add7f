import fc from 'fast-check';
import { SegmentPositions } from './segment-positions';

describe('SegmentPositions', () => {
  it('behaves as a set of positions under any mix of adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('add' as const), position: fc.nat(5000) }),
            fc.record({ op: fc.constant('delete' as const), position: fc.nat(5000) }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const positions = new SegmentPositions();
          const model = new Set<number>();
          for (const { op, position } of ops) {
            if (op === 'add') {
              positions.add(position);
              model.add(position);
            } else {
              expect(positions.delete(position)).toBe(model.delete(position));
            }
            expect(positions.size).toBe(model.size);
          }
          expect([...positions]).toEqual([...model].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('keeps a long in-order stream compact as it is removed from the front', () => {
    const positions = new SegmentPositions();
    for (let i = 0; i < 100_000; i++) positions.add(16 + i * 300);
    for (let i = 0; i < 99_990; i++) expect(positions.delete(16 + i * 300)).toBe(true);
    expect(positions.size).toBe(10);
    expect([...positions]).toEqual(Array.from({ length: 10 }, (_, k) => 16 + (99_990 + k) * 300));
    expect(positions.delete(16)).toBe(false);
  });
});
