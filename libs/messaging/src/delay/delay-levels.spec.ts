import fc from 'fast-check';
import { delayBits, delayUnits, levelTtlMs, maxDelayMs, resolveDelayLevels } from './delay-levels';
import { delayTopology } from './delay-topology';

describe('delay levels', () => {
  const levels = resolveDelayLevels({ prefix: 'p', baseMs: 100, levels: 20 });

  it('visits levels whose TTLs add up to the rounded delay, highest level first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: maxDelayMs(levels) }), (delayMs) => {
        const units = delayUnits(delayMs, levels);
        const bits = delayBits(units);
        const total = bits.reduce((sum, set, k) => sum + (set ? levelTtlMs(levels, k) : 0), 0);
        return (
          total === units * levels.baseMs &&
          Math.abs(total - delayMs) <= levels.baseMs / 2 &&
          bits.length <= levels.levels &&
          (bits.length === 0 || bits[bits.length - 1] === true)
        );
      }),
    );
  });

  it('decomposes 1 h and 1 s into disjoint queues, so neither waits behind the other', () => {
    const hour = delayBits(delayUnits(3_600_000, levels));
    const second = delayBits(delayUnits(1_000, levels));
    // 36000 units = 2^15+2^11+2^10+2^7+2^5; 10 units = 2^3+2^1.
    expect(hour.flatMap((set, k) => (set ? [k] : []))).toEqual([5, 7, 10, 11, 15]);
    expect(second.flatMap((set, k) => (set ? [k] : []))).toEqual([1, 3]);
  });

  it('rejects delays out of range and bad settings with messages naming them', () => {
    expect(() => delayUnits(-1, levels)).toThrow(/delay must be a finite number/);
    expect(() => delayUnits(maxDelayMs(levels) + 1, levels)).toThrow(
      /exceeds the longest configured delay/,
    );
    expect(() => resolveDelayLevels({ baseMs: 0 })).toThrow(/delay.baseMs/);
    expect(() => resolveDelayLevels({ levels: 0 })).toThrow(/delay.levels/);
    expect(() => resolveDelayLevels({ baseMs: 1000, levels: 40 })).toThrow(/2\^32-1 ms TTL limit/);
  });

  it('declares one headers exchange and one TTL queue per level, chained down to the deliver exchange', () => {
    const topology = delayTopology(resolveDelayLevels({ prefix: 'd', baseMs: 100, levels: 3 }));
    expect(
      topology.queues!.map((q) => [q.name, q.options!.messageTtl, q.options!.deadLetterExchange]),
    ).toEqual([
      ['d.l0', 100, 'd.deliver'],
      ['d.l1', 200, 'd.l0'],
      ['d.l2', 400, 'd.l1'],
    ]);
    expect(topology.exchanges!.every((e) => e.type === 'headers')).toBe(true);
    // Routing keys must not start with x-: headers exchanges ignore those keys.
    for (const binding of topology.bindings!) {
      expect(
        Object.keys(binding.arguments!)
          .filter((k) => k !== 'x-match')
          .every((k) => !k.startsWith('x-')),
      ).toBe(true);
    }
  });
});
