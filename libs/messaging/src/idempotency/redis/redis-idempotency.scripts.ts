/**
 * Lua scripts of the Redis idempotency store. Each runs atomically inside Redis, which
 * is what makes "check then set" and "compare then delete" safe between instances.
 *
 * A key holds either a lease token (a worker is running the effect) or DONE.
 */
export const DONE = 'done';

/**
 * KEYS[1] key, ARGV[1] our lease token, ARGV[2] lease ms.
 * Returns {1, 0} acquired, {2, 0} done, {3, pttl} held by someone else.
 */
export const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if v == '${DONE}' then return {2, 0} end
return {3, redis.call('PTTL', KEYS[1])}
`;

/**
 * KEYS[1] key, ARGV[1] our lease token, ARGV[2] retention ms.
 * Returns 1 marked done under our lease, 2 lease had expired and nobody took it (marked
 * done anyway), 0 another worker holds the key now (left alone).
 */
export const COMPLETE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2])
  return 1
end
if not v then
  redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2])
  return 2
end
if v == '${DONE}' then return 2 end
return 0
`;

/** KEYS[1] key, ARGV[1] our lease token. Deletes only our own lease. Returns 1 if deleted. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** KEYS[1] key, ARGV[1] our lease token, ARGV[2] lease ms. Extends only our own lease. */
export const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;
