import type { OutboxRelay } from '@surety/messaging/outbox';
import { brokerTargets, type BrokerUnderTest } from '../../support/brokers';
import { databaseTargets, type TestDatabase } from '../../support/database';
import { describeWithServices } from '../../support/services';
import {
  Collector,
  declareTopology,
  startPublisher,
  type StartedPublisher,
  type TestTopology,
} from './messaging-env';

/** What a relay test works with; everything but the broker is new for every test. */
export interface RelayTestEnv {
  readonly broker: BrokerUnderTest;
  readonly db: TestDatabase;
  /** A topic exchange with one queue bound to '#' (and an exchange bound to nothing). */
  readonly topology: TestTopology;
  /** The messaging core's publisher on its own connection, for the relay to drive. */
  readonly started: StartedPublisher;
  /** Every message that reached the topology's queue, in arrival order. */
  readonly collector: Collector;
  /** The relay under test: the test creates it, the matrix stops it after the test. */
  relay: OutboxRelay | undefined;
}

/**
 * The relay's tests run on every broker × database pair (the standard's matrix). One
 * describe per pair, needing that pair's services: its broker started once, and before
 * each test a fresh database, the topology, a publisher and a collector, all taken
 * down after it (the relay first, so that nothing publishes into what is being
 * deleted). A body that needs more (a table, a gate queue) adds its own hooks, which
 * jest runs after these both on the way in and on the way out.
 */
export function describeRelayMatrix(title: string, body: (env: RelayTestEnv) => void): void {
  for (const brokerTarget of brokerTargets()) {
    for (const dbTarget of databaseTargets()) {
      describeWithServices(
        [...brokerTarget.needs, ...dbTarget.needs],
        `${title} [${brokerTarget.name} + ${dbTarget.name}]`,
        () => {
          // Filled in by the hooks below, before any test reads it.
          const env = { relay: undefined } as {
            -readonly [K in keyof RelayTestEnv]: RelayTestEnv[K];
          };

          beforeAll(async () => {
            env.broker = await brokerTarget.start();
          });
          afterAll(() => env.broker.stop());

          beforeEach(async () => {
            env.db = await dbTarget.fresh();
            env.topology = await declareTopology(env.broker.url);
            env.started = await startPublisher(env.broker.url);
            env.collector = await Collector.start(env.broker.url, env.topology.queue);
          });
          afterEach(async () => {
            await env.relay?.stop();
            env.relay = undefined;
            await env.collector.close();
            await env.started.close();
            await env.topology.dispose();
            await env.db.drop();
          });

          body(env);
        },
      );
    }
  }
}
