import { RedisConfigurationError, resolveRedisUrl } from './redis-url';

describe('resolveRedisUrl', () => {
  it('accepts redis:// and rediss:// URLs as given', () => {
    expect(resolveRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(resolveRedisUrl(' rediss://user:pw@cache:6380/2 ')).toBe(
      'rediss://user:pw@cache:6380/2',
    );
  });

  it.each([undefined, '', '   '])('refuses a missing value (%p), naming the variable', (value) => {
    expect(() => resolveRedisUrl(value)).toThrow(
      new RedisConfigurationError(
        'REDIS_URL is not set: the redis idempotency store needs one (expected redis://[user:password@]host:port[/db] or rediss://… for TLS)',
      ),
    );
  });

  it('refuses another scheme, naming the variable and the value with its password masked', () => {
    expect(() => resolveRedisUrl('http://user:secret@cache:6379')).toThrow(
      /^REDIS_URL="http:\/\/user:\*\*\*@cache:6379" has the unsupported scheme "http:"/,
    );
  });

  it('refuses garbage and names the source it came from', () => {
    expect(() => resolveRedisUrl('cache:6379:extra', 'IdempotencyModule redis.url')).toThrow(
      /^IdempotencyModule redis\.url="cache:6379:extra" has the unsupported scheme "cache:"/,
    );
    expect(() => resolveRedisUrl('not a url')).toThrow(/^REDIS_URL="not a url" is not a URL/);
  });

  it('never leaks the password', () => {
    let message = '';
    try {
      resolveRedisUrl('amqp://u:topsecret@h:1');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('REDIS_URL=');
    expect(message).not.toContain('topsecret');
  });
});
