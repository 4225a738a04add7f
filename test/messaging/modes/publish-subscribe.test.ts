import { Injectable } from '@nestjs/common';
import { Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TestApps } from '../support/test-apps';

// Mode 3, "publish/subscribe": a fanout exchange copies every message to every
// bound queue, whatever the routing key.
describeEachBroker('working mode: publish/subscribe (fanout)', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('gives every subscriber its own copy of every message', async () => {
    const exchange = uniqueName('pubsub.logs');
    const audit = uniqueName('pubsub.audit');
    const mailer = uniqueName('pubsub.mailer');
    const seen: Record<string, number[]> = { audit: [], mailer: [] };

    @Injectable()
    class Subscribers {
      @Subscribe({ queue: audit, exchange })
      async toAudit(message: { n: number }) {
        seen.audit.push(message.n);
      }
      @Subscribe({ queue: mailer, exchange })
      async toMailer(message: { n: number }) {
        seen.mailer.push(message.n);
      }
    }

    const app = await apps.start([Subscribers], {
      topology: { exchanges: [{ name: exchange, type: 'fanout' }] },
    });
    for (let n = 0; n < 5; n++) await app.publisher.publish(exchange, `ignored.${n}`, { n });

    await eventually(() => {
      expect([...seen.audit].sort()).toEqual([0, 1, 2, 3, 4]);
      expect([...seen.mailer].sort()).toEqual([0, 1, 2, 3, 4]);
    });
  });
});
