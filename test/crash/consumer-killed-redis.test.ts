import { describeConsumerCrashes } from './support/consumer-crashes';

// idempotency: 'redis' — killed after the done-marker (before the ack), and in the
// documented window between the effect and the done-marker.
describeConsumerCrashes('redis');
