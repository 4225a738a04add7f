import { describeConsumerCrashes } from './support/consumer-crashes';

// idempotency: 'db' — killed after the inbox commit (before the ack), and inside the
// inbox transaction.
describeConsumerCrashes('db');
