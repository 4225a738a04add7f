import { maskUrl } from '../../connection/broker-urls';

/** The Redis URL given to the idempotency store is missing or is not a Redis URL. */
export class RedisConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisConfigurationError';
  }
}

/**
 * Checks the URL of the Redis idempotency store before ioredis sees it: ioredis
 * would silently fall back to localhost:6379 for an empty value and fail later,
 * deep inside a command, for a wrong scheme. `source` names where the value came
 * from (REDIS_URL by default) so the error points at the setting to fix.
 */
export function resolveRedisUrl(value: string | undefined, source = 'REDIS_URL'): string {
  const raw = value?.trim() ?? '';
  const expected = 'expected redis://[user:password@]host:port[/db] or rediss://… for TLS';
  if (raw === '') {
    throw new RedisConfigurationError(
      `${source} is not set: the redis idempotency store needs one (${expected})`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RedisConfigurationError(`${source}="${maskUrl(raw)}" is not a URL (${expected})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisConfigurationError(
      `${source}="${maskUrl(raw)}" has the unsupported scheme "${url.protocol}" (${expected})`,
    );
  }
  if (url.hostname === '') {
    throw new RedisConfigurationError(`${source}="${maskUrl(raw)}" names no host (${expected})`);
  }
  return raw;
}
