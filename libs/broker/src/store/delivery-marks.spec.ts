import { DeliveryMarks, MARK_DELAY_MS } from './delivery-marks';

describe('DeliveryMarks', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const positionsOf = (due: Map<number, Set<number>>) =>
    [...due].map(([segment, positions]) => [segment, [...positions].sort((a, b) => a - b)]);

  it('makes a mark due only after a full delay, however late in a tick it was made', () => {
    const onDue = jest.fn();
    const marks = new DeliveryMarks(onDue);
    marks.add(1, 100);
    jest.advanceTimersByTime(MARK_DELAY_MS - 1);
    marks.add(1, 200); // made just before the first tick
    jest.advanceTimersByTime(1);
    expect(marks.hasDue()).toBe(false); // 100 has aged one tick, 200 almost none
    jest.advanceTimersByTime(MARK_DELAY_MS);
    expect(onDue).toHaveBeenCalledTimes(1);
    expect(positionsOf(marks.takeDue())).toEqual([[1, [100, 200]]]);
    expect(marks.hasDue()).toBe(false);
  });

  it('forgets the mark of a record removed before it was due', () => {
    const onDue = jest.fn();
    const marks = new DeliveryMarks(onDue);
    marks.add(3, 8);
    marks.add(3, 16);
    jest.advanceTimersByTime(MARK_DELAY_MS);
    marks.drop(3, 8); // acked while aging
    jest.advanceTimersByTime(MARK_DELAY_MS);
    expect(positionsOf(marks.takeDue())).toEqual([[3, [16]]]);
  });

  it('ripenAll makes everything due at once (clean close) and stops the timer', () => {
    const onDue = jest.fn();
    const marks = new DeliveryMarks(onDue);
    marks.add(1, 8);
    jest.advanceTimersByTime(MARK_DELAY_MS);
    marks.add(2, 8);
    marks.ripenAll();
    expect(onDue).toHaveBeenCalledTimes(1);
    expect(positionsOf(marks.takeDue())).toEqual([
      [1, [8]],
      [2, [8]],
    ]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops the marks of a deleted segment', () => {
    const marks = new DeliveryMarks(() => undefined);
    marks.add(5, 8);
    marks.add(6, 8);
    marks.forgetSegment(5);
    marks.ripenAll();
    expect(positionsOf(marks.takeDue())).toEqual([[6, [8]]]);
  });
});
