import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { RawAmqp } from './raw-amqp';
import type { TestApps } from './test-apps';

/** A broker's resource alarm, raised and cleared for real. */
export interface ResourceAlarm {
  raise(): Promise<void> | void;
  clear(): Promise<void> | void;
}

/**
 * What `connection.blocked` must do to a Surety app, on any broker: the publish that
 * meets the alarm waits for its confirm, the connection reports blocked (logged and
 * counted), later publishes wait in the publisher instead of piling onto the blocked
 * socket, and once the alarm clears both are confirmed and queued.
 */
export async function expectPublishersToWaitWhileBlocked(
  apps: TestApps,
  brokerUrl: string,
  alarm: ResourceAlarm,
): Promise<void> {
  const queue = uniqueName('blocked.pub');
  const app = await apps.start([], {
    topology: { queues: [{ name: queue }] },
    publishing: { connectionWaitMs: 30_000 },
  });

  await alarm.raise();
  // As RabbitMQ does, a broker blocks a connection when it next publishes; that first
  // publish is already on the wire and waits for its confirm.
  const first = app.publisher.publish('', queue, { n: 1 });
  await eventually(() => expect(app.connections.blocked).toBe(true));
  expect(app.connections.metrics.blocked).toBe(1);
  expect(
    apps.logs.lines.some(
      (l) => l.level === 'warn' && l.message.includes('broker blocked the connection'),
    ),
  ).toBe(true);

  // Later publishes wait in the publisher instead of piling onto a blocked socket.
  let settled = false;
  const second = app.publisher.publish('', queue, { n: 2 }).finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(settled).toBe(false);

  await alarm.clear();
  await Promise.all([first, second]);
  expect(app.connections.blocked).toBe(false);
  const raw = await RawAmqp.open(brokerUrl);
  try {
    expect(await raw.messageCount(queue)).toBe(2);
  } finally {
    await raw.close();
  }
}
