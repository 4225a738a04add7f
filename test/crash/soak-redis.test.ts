import { defineSoak } from './support/soak';

// idempotency: 'redis' (lease, effect, done-marker) on both brokers; the effect write is
// idempotent by its own key, as docs/outbox/idempotency.md asks of Redis-mode handlers.
defineSoak('redis', 20261122);
