import { prepared, preparedName } from './prepared-statements';

describe('prepared', () => {
  it('returns the text unchanged and remembers its name', () => {
    const text = 'SELECT 1 AS spec_one';
    expect(prepared('spec_one', text)).toBe(text);
    expect(preparedName(text)).toBe('spec_one');
    expect(preparedName('SELECT 1 AS unmarked')).toBeUndefined();
  });

  it('accepts the same text under the same name again (module reloads)', () => {
    const text = 'SELECT 2 AS spec_two';
    prepared('spec_two', text);
    expect(() => prepared('spec_two', text)).not.toThrow();
    expect(preparedName(text)).toBe('spec_two');
  });

  it('refuses one text under two names, and one name for two texts', () => {
    prepared('spec_three', 'SELECT 3');
    expect(() => prepared('spec_three_again', 'SELECT 3')).toThrow(
      /already prepared as "spec_three"/,
    );
    expect(() => prepared('spec_three', 'SELECT 33')).toThrow(/"spec_three" is already used/);
  });
});
