import { validate, version } from 'uuid';
import { newMessageId } from './message-id';

describe('newMessageId', () => {
  it('makes valid, unique uuid v7 ids that sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newMessageId());
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
