import { Injectable } from '@nestjs/common';
import { MessageHeaders, Publisher, Subscribe, TraceContext } from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

// No trace is invented: a message published outside any trace carries no
// traceparent, and a handler of such a message publishes without one too
// (a made-up root per message would flood a tracing backend with one-span traces).
describeEachBroker('tracing: no traceparent without an active trace', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('publishes without a traceparent header, also from a handler of an untraced message', async () => {
    const first = uniqueName('untraced.first');
    const second = uniqueName('untraced.second');
    const inHandler: { trace?: string; ran: boolean } = { ran: false };

    @Injectable()
    class Relay {
      constructor(private readonly publisher: Publisher) {}
      @Subscribe({ queue: first })
      async onFirst() {
        inHandler.ran = true;
        inHandler.trace = TraceContext.current();
        await this.publisher.publish('', second, { step: 2 });
      }
    }

    const app = await apps.start([Relay], { topology: { queues: [{ name: second }] } });
    expect(TraceContext.current()).toBeUndefined();
    await app.publisher.publish('', first, { step: 1 });

    const raw = await RawAmqp.open(broker().url);
    try {
      const [relayed] = await eventually(async () => {
        const messages = await raw.drain(second);
        expect(messages).toHaveLength(1);
        return messages;
      });
      expect(inHandler).toEqual({ ran: true, trace: undefined });
      expect(relayed.properties.headers ?? {}).not.toHaveProperty(MessageHeaders.traceparent);
      // The same publish inside a trace does carry it: the header name checked above is the right one.
      const traced = TraceContext.newRoot();
      await TraceContext.run(traced, () => app.publisher.publish('', second, { step: 3 }));
      const [withTrace] = await eventually(async () => {
        const messages = await raw.drain(second);
        expect(messages).toHaveLength(1);
        return messages;
      });
      expect(withTrace.properties.headers?.[MessageHeaders.traceparent]).toBe(traced);
    } finally {
      await raw.close();
    }
  });
});
