import { validate, version } from 'uuid';
import { newMessageId } from './message-id';

describe('newMessageId', () => {
  it('makes valid, unique uuid v7 ids that sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newMessageId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it.each([2, 3, 4, 5, 7])(
    'stays valid at every pool offset when the clock moves every %i ids (ids take 6 or 10 bytes)',
    (every) => {
      // A fresh module (a fresh pool) per case, so that where the pool's ends fall does
      // not depend on the ids made before.
      let fresh: typeof newMessageId = newMessageId;
      jest.isolateModules(() => {
        fresh = (jest.requireActual('./message-id') as { newMessageId: typeof newMessageId })
          .newMessageId;
      });
      let ms = Date.now() + 1000 * every;
      let calls = 0;
      // New-millisecond ids (10 bytes) mixed with same-millisecond ones (6 bytes), so that
      // ids start at the last offsets of the 4096-byte pool.
      const clock = jest
        .spyOn(Date, 'now')
        .mockImplementation(() => (calls++ % every === 0 ? ++ms : ms));
      try {
        const ids = Array.from({ length: 20_000 }, () => fresh());
        expect(ids.filter((id) => !(validate(id) && version(id) === 7))).toEqual([]);
        expect([...ids].sort()).toEqual(ids);
      } finally {
        clock.mockRestore();
      }
    },
  );
});
