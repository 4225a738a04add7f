import { expectPublishersToWaitWhileBlocked } from '../messaging/support/blocked-publishing';
import { TestApps } from '../messaging/support/test-apps';
import { serviceUrl } from '../support/services';
import { describeWithRabbitmqctl, RabbitmqNode } from './support/rabbitmq-node';

// The shared RabbitMQ's memory alarm raised for real (watermark 0): it blocks every
// publishing client on the node, so this runs alone (jest project `exclusive`). The
// embedded broker's run of the same scenario is test/messaging/failures/connection-blocked.
jest.setTimeout(120_000);

describeWithRabbitmqctl(['rabbitmq'], 'failure: connection.blocked [rabbitmq]', () => {
  const apps = new TestApps(() => serviceUrl('rabbitmq'));
  let restoreWatermark: (() => Promise<void>) | undefined;

  afterAll(async () => {
    // Whatever the test did, the node must not stay blocked for the suites after it.
    await restoreWatermark?.();
    await apps.closeAll();
  });

  it('makes publishers wait while blocked, logs and counts it, and confirms once unblocked', () =>
    expectPublishersToWaitWhileBlocked(apps, serviceUrl('rabbitmq'), {
      raise: async () => {
        restoreWatermark = await RabbitmqNode.raiseMemoryAlarm();
      },
      clear: async () => {
        await restoreWatermark?.();
        restoreWatermark = undefined;
      },
    }));
});
