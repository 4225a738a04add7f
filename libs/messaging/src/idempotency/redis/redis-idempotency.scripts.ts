/**
 * Lua scripts of the Redis idempotency store. Each runs atomically inside Redis, which
 * is what makes "check then set" and "compare then delete" safe between instances.
 *
 * A key holds either a lease token (a worker is running the effect) or DONE.
 */
export const DONE = 'done';

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

/**
 * Acquire, for many keys in one call (the store batches the deliveries of one
 * event-loop turn). KEYS the keys, ARGV[1] the batch's lease token, ARGV[2] lease ms.
 * Per key: no value → take the lease (-10); DONE → -20; another lease → the ms it
 * still has to live. GET-then-SET is safe because a script runs atomically.
 */
export const ACQUIRE_MANY = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    out[i] = -10
  elseif v == '${DONE}' then
    out[i] = -20
  else
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = 1 end
    out[i] = ttl
  end
end
return out
`;

/**
 * Complete, for many keys. KEYS the keys, ARGV[1] retention ms, ARGV[1 + i] the lease
 * token of key i. Per key: still our lease → DONE with the retention TTL (1); expired
 * and untaken (or already DONE) → DONE anyway (2); another worker's lease → left
 * alone (0: the effect may run twice, the store warns).
 */
export const COMPLETE_MANY = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v == ARGV[i + 1] or not v or v == '${DONE}' then
    if v ~= '${DONE}' then redis.call('SET', key, '${DONE}', 'PX', ARGV[1]) end
    if v == ARGV[i + 1] then out[i] = 1 else out[i] = 2 end
  else
    out[i] = 0
  end
end
return out
`;
