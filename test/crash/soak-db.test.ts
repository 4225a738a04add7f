import { defineSoak } from './support/soak';

// idempotency: 'db' (inbox row in the handler's transaction) on both brokers.
defineSoak('db', 20261121);
