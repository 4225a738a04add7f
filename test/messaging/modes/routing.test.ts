import { Injectable } from '@nestjs/common';
import { Subscribe, UnroutableMessageError } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TestApps } from '../support/test-apps';

// Mode 4, "routing": a direct exchange delivers by exact routing key; a queue
// may bind several keys, several queues may bind the same key.
describeEachBroker('working mode: routing (direct)', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('routes by exact key to the queues bound with it', async () => {
    const exchange = uniqueName('routing.severity');
    const errorsOnly = uniqueName('routing.errors');
    const everything = uniqueName('routing.all');
    const seen: Record<string, string[]> = { errorsOnly: [], everything: [] };

    @Injectable()
    class Subscribers {
      @Subscribe({
        queue: errorsOnly,
        exchange: { name: exchange, type: 'direct' },
        routingKey: 'error',
      })
      async onError(message: { text: string }) {
        seen.errorsOnly.push(message.text);
      }
      @Subscribe({ queue: everything, exchange, routingKeys: ['info', 'warning', 'error'] })
      async onAny(message: { text: string }) {
        seen.everything.push(message.text);
      }
    }

    const app = await apps.start([Subscribers]);
    await app.publisher.publish(exchange, 'info', { text: 'i1' });
    await app.publisher.publish(exchange, 'error', { text: 'e1' });
    await app.publisher.publish(exchange, 'warning', { text: 'w1' });
    // No queue binds 'debug': a mandatory publish comes back as a typed, non-retryable error.
    const unroutable = await app.publisher
      .publish(exchange, 'debug', { text: 'd1' })
      .catch((e) => e);
    expect(unroutable).toBeInstanceOf(UnroutableMessageError);
    expect(unroutable.retryable).toBe(false);
    expect(unroutable.message).toContain(exchange);

    await eventually(() => {
      expect(seen.errorsOnly).toEqual(['e1']);
      expect([...seen.everything].sort()).toEqual(['e1', 'i1', 'w1']);
    });
  });
});
