import type { IdempotencyStoreKind } from '@surety/messaging/idempotency';
import { brokerTargets, type BrokerTarget } from '../../support/brokers';
import { describeWithServices, type ServiceName } from '../../support/services';

/** Declares `body` for every broker × idempotency store (crash tests use PostgreSQL). */
export function describeCrashMatrix(
  title: string,
  body: (target: BrokerTarget, store: IdempotencyStoreKind) => void,
  stores: readonly IdempotencyStoreKind[] = ['db', 'redis'],
): void {
  for (const target of brokerTargets()) {
    for (const store of stores) {
      const needs: ServiceName[] = [
        ...target.needs,
        'postgres',
        ...(store === 'redis' ? ['redis' as const] : []),
      ];
      describeWithServices(needs, `${title} [${target.name}, idempotency ${store}]`, () =>
        body(target, store),
      );
    }
  }
}
