import { RedisIdempotencyStore, type RedisIdempotencyOptions } from '@surety/messaging/idempotency';
import { serviceUrl } from '../../support/services';
import { uniqueName } from '../../support/names';

/** A Redis store on the shared Redis, isolated by a unique key prefix. */
export function redisStore(options: RedisIdempotencyOptions = {}): Promise<RedisIdempotencyStore> {
  return RedisIdempotencyStore.connect(serviceUrl('redis'), {
    prefix: uniqueName('surety-test-idem'),
    ...options,
  });
}
