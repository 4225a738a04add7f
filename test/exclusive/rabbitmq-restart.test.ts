import { Injectable } from '@nestjs/common';
import { MessagingError, Subscribe } from '@surety/messaging';
import { ChildProcesses } from '../crash/support/crash-child';
import {
  disposeOutageStream,
  OUTAGE_EVENTS,
  type Outage,
  streamThroughOutages,
} from '../crash/support/outage-stream';
import { TestApps } from '../messaging/support/test-apps';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { serviceUrl } from '../support/services';
import { describeWithRabbitmqctl, RabbitmqNode } from './support/rabbitmq-node';

// The shared RabbitMQ restarted for real (stop_app / start_app): durable queues and
// persistent messages come back from its disk, every client loses its connection. The
// other suites stand in for it with a TCP proxy; this one runs alone (jest project
// `exclusive`, after the rest: `npm test`).
jest.setTimeout(180_000 + OUTAGE_EVENTS * 20);

const DOWN_MS = 1_000;

function collector(queue: string, into: number[]) {
  @Injectable()
  class Collector {
    @Subscribe({ queue, prefetch: 10 })
    async collect(payload: { n: number }) {
      into.push(payload.n);
    }
  }
  return Collector;
}

describeWithRabbitmqctl(['rabbitmq', 'postgres', 'redis'], 'RabbitMQ restarted for real', () => {
  describe('messaging core', () => {
    const apps = new TestApps(() => serviceUrl('rabbitmq'));
    afterAll(() => apps.closeAll());

    it('consumers come back and continue; every confirmed publish is delivered, the others fail typed', async () => {
      const queue = uniqueName('restart.real');
      const got: number[] = [];
      const app = await apps.start([collector(queue, got)], {
        reconnect: { initialMs: 100, maxMs: 1_000 },
        publishing: { connectionWaitMs: 30_000 },
      });
      const confirmed = new Set<number>();
      const failed: unknown[] = [];
      let next = 0;
      let streaming = true;
      // One publisher stream, one at a time, across the restart.
      const stream = (async () => {
        while (streaming) {
          const n = next++;
          try {
            await app.publisher.publish('', queue, { n });
            confirmed.add(n);
          } catch (error) {
            failed.push(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();

      await eventually(() => expect(got.length).toBeGreaterThanOrEqual(50), { timeoutMs: 30_000 });
      await RabbitmqNode.restart(DOWN_MS);
      const afterRestart = got.length;
      await eventually(() => expect(confirmed.size).toBeGreaterThanOrEqual(afterRestart + 50), {
        timeoutMs: 60_000,
      });
      streaming = false;
      await stream;

      // Everything the broker confirmed was delivered: before, across and after the restart.
      await eventually(() => expect([...confirmed].filter((n) => !got.includes(n))).toEqual([]), {
        timeoutMs: 30_000,
      });
      expect(got.length).toBeGreaterThan(afterRestart);
      // A publish cut off by the restart may fail, but only with a typed, retryable error.
      for (const error of failed) {
        expect(error).toBeInstanceOf(MessagingError);
        expect((error as MessagingError).retryable).toBe(true);
      }
      expect(app.connections.metrics.disconnects).toBeGreaterThanOrEqual(1);
      expect(app.connections.metrics.connects).toBeGreaterThanOrEqual(2);
    });
  });

  /** The local RabbitMQ, stopped and started mid-stream; clients connect to it directly. */
  async function rabbitmqRestarted(): Promise<Outage> {
    return {
      name: 'RabbitMQ stopped and started (rabbitmqctl stop_app / start_app)',
      clientUrl: serviceUrl('rabbitmq'),
      adminUrl: serviceUrl('rabbitmq'),
      strike: () => RabbitmqNode.restart(DOWN_MS),
      dispose: async () => undefined,
    };
  }

  for (const store of ['db', 'redis'] as const) {
    describe(`outbox and idempotent consumers [${store}]`, () => {
      const cleanup = { children: new ChildProcesses() };
      afterAll(() => disposeOutageStream(cleanup));

      it('loses nothing and takes effect once per business row across two restarts', async () => {
        console.log(`[crash] ${await streamThroughOutages(store, rabbitmqRestarted, cleanup)}`);
      });
    });
  }
});
