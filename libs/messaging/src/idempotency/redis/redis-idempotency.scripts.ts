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
 * Answers { codes, ms... }: codes has one letter per key — `a` the lease is ours now,
 * `d` DONE, `b` another worker holds the key — and for each `b`, in order, the ms its
 * lease still has to live. One string instead of an integer per key: the client
 * decodes one reply element per batch, not hundreds.
 *
 * One command per key: SET NX GET (Redis 7+) takes the lease and reports what was
 * there in one go. Redis before 7 refuses NX with GET; then the first key's pcall
 * fails without effect and every key takes the GET-then-SET path (safe too: a script
 * runs atomically).
 */
export const ACQUIRE_MANY = `
local codes = {}
local out = {false}
local oneCommand = true
for i, key in ipairs(KEYS) do
  local v
  if oneCommand then
    v = redis.pcall('SET', key, ARGV[1], 'NX', 'PX', ARGV[2], 'GET')
    if type(v) == 'table' and v.err then oneCommand = false end
  end
  if not oneCommand then
    v = redis.call('GET', key)
    if not v then redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
  end
  if not v then
    codes[i] = 'a'
  elseif v == '${DONE}' then
    codes[i] = 'd'
  else
    codes[i] = 'b'
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = 1 end
    out[#out + 1] = ttl
  end
end
out[1] = table.concat(codes)
return out
`;

/**
 * Complete, for many keys. KEYS the keys; ARGV[1] retention ms, ARGV[2] lease ms,
 * ARGV[3] which token each key's lease has: two characters per key, the token's
 * position p (1-based) as chars 48 + floor(p / 64) and 48 + p % 64; ARGV[4..] the
 * distinct lease tokens (a batch's keys share a few, so each is sent once).
 * Answers one digit per key: 1 still our lease → DONE with the retention TTL;
 * 2 expired and untaken (or already DONE) → DONE anyway; 0 another worker's lease →
 * left to that worker (the effect may run twice, the store warns).
 *
 * One command per key: SET GET (Redis 6.2+) writes DONE and returns what was there.
 * In the rare third case the other worker's token is put back, with a full lease
 * (its remaining time is not known after the overwrite; it only lengthens the wait
 * of a redelivery if that worker died). Before 6.2: GET, then SET only if it is ours.
 */
export const COMPLETE_MANY = `
local out = {}
local positions = ARGV[3]
local oneCommand = true
for i, key in ipairs(KEYS) do
  local hi, lo = string.byte(positions, 2 * i - 1, 2 * i)
  local mine = ARGV[3 + (hi - 48) * 64 + lo - 48]
  local v
  if oneCommand then
    v = redis.pcall('SET', key, '${DONE}', 'PX', ARGV[1], 'GET')
    if type(v) == 'table' and v.err then oneCommand = false end
  end
  if oneCommand then
    if v == mine then
      out[i] = '1'
    elseif not v or v == '${DONE}' then
      out[i] = '2'
    else
      redis.call('SET', key, v, 'PX', ARGV[2])
      out[i] = '0'
    end
  else
    v = redis.call('GET', key)
    if v == mine or not v or v == '${DONE}' then
      if v ~= '${DONE}' then redis.call('SET', key, '${DONE}', 'PX', ARGV[1]) end
      if v == mine then out[i] = '1' else out[i] = '2' end
    else
      out[i] = '0'
    end
  end
end
return table.concat(out)
`;
