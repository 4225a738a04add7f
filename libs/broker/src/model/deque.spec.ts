import fc from 'fast-check';
import { Deque } from './deque';

describe('Deque', () => {
  it('behaves like an array under random push/shift/unshift/pop/insert/removeAt', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }))),
        (ops) => {
          const deque = new Deque<number>(2);
          const model: number[] = [];
          for (const [op, value] of ops) {
            if (op === 0) {
              deque.push(value);
              model.push(value);
            } else if (op === 1) expect(deque.shift()).toBe(model.shift());
            else if (op === 2) {
              deque.unshift(value);
              model.unshift(value);
            } else if (op === 3) expect(deque.pop()).toBe(model.pop());
            else if (op === 4) {
              const at = model.length === 0 ? 0 : value % (model.length + 1);
              deque.insert(at, value);
              model.splice(at, 0, value);
            } else if (model.length > 0) {
              const at = value % model.length;
              expect(deque.removeAt(at)).toBe(model.splice(at, 1)[0]);
            }
            expect(deque.length).toBe(model.length);
          }
          expect([...deque]).toEqual(model);
          expect(deque.peek()).toBe(model[0]);
        },
      ),
    );
  });
});
