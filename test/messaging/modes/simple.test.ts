import { Injectable } from '@nestjs/common';
import { Subscribe, type MessageContext } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TestApps } from '../support/test-apps';

// Mode 1, "simple": one producer publishes to a named queue (default exchange,
// routing key = queue name), one consumer receives.
describeEachBroker('working mode: simple', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('delivers a message published to a queue to its one consumer, with Surety properties', async () => {
    const queue = uniqueName('simple.hello');
    const received: { payload: unknown; ctx: MessageContext }[] = [];

    @Injectable()
    class HelloConsumer {
      @Subscribe({ queue })
      async onHello(payload: unknown, ctx: MessageContext) {
        received.push({ payload, ctx });
      }
    }

    const app = await apps.start([HelloConsumer]);
    const messageId = await app.publisher.publish(
      '',
      queue,
      { text: 'hello' },
      { type: 'greeting.sent' },
    );

    await eventually(() => expect(received).toHaveLength(1));
    const [{ payload, ctx }] = received;
    expect(payload).toEqual({ text: 'hello' });
    expect(ctx.messageId).toBe(messageId);
    expect(messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // uuid v7
    expect(ctx.type).toBe('greeting.sent');
    expect(ctx.correlationId).toBe(messageId);
    expect(ctx.attempt).toBe(1);
    expect(ctx.redelivered).toBe(false);
    expect(ctx.queue).toBe(queue);
    expect(ctx.raw.properties.contentType).toBe('application/json');
    expect(ctx.raw.properties.deliveryMode).toBe(2);
    expect(Math.abs(ctx.timestamp!.getTime() - Date.now())).toBeLessThan(60_000);
    await eventually(async () => expect(app.connections.metrics.acked).toBe(1));
  });
});
