import { Injectable } from '@nestjs/common';
import { Subscribe, type MessageContext } from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { TestApps } from './support/test-apps';

// Delays come from TTL + dead-letter levels only (no broker plugin); see docs/messaging/delays.md.
describeEachBroker('delays', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  function collector(queue: string, into: { id: string; at: number; ctx: MessageContext }[]) {
    @Injectable()
    class Collector {
      @Subscribe({ queue })
      async collect(payload: { id: string }, ctx: MessageContext) {
        into.push({ id: payload.id, at: Date.now(), ctx });
      }
    }
    return Collector;
  }

  it('does not let a message delayed 1 h, published first, hold back one delayed 1 s', async () => {
    const queue = uniqueName('delay.hol');
    const got: { id: string; at: number; ctx: MessageContext }[] = [];
    const app = await apps.start([collector(queue, got)]);

    await app.publisher.publish('', queue, { id: 'one-hour' }, { delay: 3_600_000 });
    const sentAt = Date.now();
    await app.publisher.publish('', queue, { id: 'one-second' }, { delay: 1_000 });

    await eventually(() => expect(got.map((g) => g.id)).toEqual(['one-second']), {
      timeoutMs: 5_000,
    });
    const late = got[0].at - sentAt;
    expect(late).toBeGreaterThanOrEqual(900);
    expect(late).toBeLessThan(2_000); // precision target: within 1 s
    expect(got[0].ctx.headers['x-surety-delay-ms']).toBe(1_000);
  });

  it('delivers mixed delays in due order, each within 1 s of its due time', async () => {
    const queue = uniqueName('delay.order');
    const got: { id: string; at: number; ctx: MessageContext }[] = [];
    const app = await apps.start([collector(queue, got)]);

    const delays = [2_700, 300, 1_700, 0, 1_100];
    const start = Date.now();
    await Promise.all(
      delays.map((delay) => app.publisher.publish('', queue, { id: String(delay) }, { delay })),
    );

    await eventually(() => expect(got).toHaveLength(delays.length), { timeoutMs: 8_000 });
    expect(got.map((g) => Number(g.id))).toEqual([...delays].sort((a, b) => a - b));
    for (const g of got) {
      expect(Math.abs(g.at - start - Number(g.id))).toBeLessThan(1_000);
    }
  });

  it('schedules to an exchange at a point in time, keeping the routing key for topic routing', async () => {
    const exchange = uniqueName('delay.events');
    const queue = uniqueName('delay.reminders');
    const got: { id: string; at: number; ctx: MessageContext }[] = [];

    @Injectable()
    class Reminders {
      @Subscribe({ queue, exchange: { name: exchange, type: 'topic' }, routingKey: 'payment.*' })
      async remind(payload: { id: string }, ctx: MessageContext) {
        got.push({ id: payload.id, at: Date.now(), ctx });
      }
    }

    const app = await apps.start([Reminders]);
    const due = new Date(Date.now() + 1_500);
    await app.scheduler.schedule(
      exchange,
      'payment.due',
      { id: 'P-7' },
      { at: due },
      { type: 'payment.due' },
    );

    await eventually(() => expect(got).toHaveLength(1), { timeoutMs: 5_000 });
    expect(Math.abs(got[0].at - due.getTime())).toBeLessThan(1_000);
    expect(got[0].ctx.exchange).toBe(exchange);
    expect(got[0].ctx.routingKey).toBe('payment.due');
    expect(got[0].ctx.type).toBe('payment.due');
  });

  it('rejects a delay beyond the configured levels with a clear error', async () => {
    const app = await apps.start();
    const error = await app.publisher
      .publish('', uniqueName('delay.none'), {}, { delay: 10 * 365 * 24 * 3_600_000 })
      .catch((e) => e);
    expect(error.name).toBe('InvalidMessageError');
    expect(error.message).toContain('exceeds the longest configured delay');
    expect(error.retryable).toBe(false);
  });
});
