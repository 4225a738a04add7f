import { SetMetadata } from '@nestjs/common';
import { ON_PUBLISH_FAILED_METADATA } from '../outbox.constants';

/**
 * Marks a provider method as the compensation for outbox events of `type` that the
 * relay gave up on ('*' for every type without its own). The method gets
 * `(event: FailedOutboxEvent, tx: Prisma.TransactionClient)` and runs inside the
 * transaction that marks the row failed: exactly once per failed row.
 *
 * @publicApi
 */
export const OnPublishFailed = (type: string): MethodDecorator =>
  SetMetadata(ON_PUBLISH_FAILED_METADATA, type);
