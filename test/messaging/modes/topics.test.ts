import { Injectable } from '@nestjs/common';
import { Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TestApps } from '../support/test-apps';

// Mode 5, "topics": a topic exchange matches dotted keys with wildcards,
// `*` exactly one word and `#` zero or more.
describeEachBroker('working mode: topics (wildcards)', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('delivers by wildcard pattern', async () => {
    const exchange = uniqueName('topics.policy');
    const issuedAnywhere = uniqueName('topics.issued');
    const allOfMotor = uniqueName('topics.motor');
    const seen: Record<string, string[]> = { issued: [], motor: [] };

    @Injectable()
    class Subscribers {
      @Subscribe({ queue: issuedAnywhere, exchange, routingKey: '*.issued' })
      async onIssued(_: unknown, ctx: { routingKey: string }) {
        seen.issued.push(ctx.routingKey);
      }
      @Subscribe({ queue: allOfMotor, exchange, routingKey: 'motor.#' })
      async onMotor(_: unknown, ctx: { routingKey: string }) {
        seen.motor.push(ctx.routingKey);
      }
    }

    const app = await apps.start([Subscribers], {
      topology: { exchanges: [{ name: exchange, type: 'topic' }] },
    });
    const keys = [
      'motor.issued',
      'home.issued',
      'motor.claim.opened',
      'motor',
      'home.claim.issued',
    ];
    const results = await app.publisher.publishBatch(
      keys.map((routingKey) => ({ exchange, routingKey, payload: { routingKey } })),
    );
    // 'home.claim.issued' has three words: '*.issued' does not match it, nothing else does.
    expect(results.map((r) => r.status)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'returned',
    ]);

    await eventually(() => {
      expect([...seen.issued].sort()).toEqual(['home.issued', 'motor.issued']);
      expect([...seen.motor].sort()).toEqual(['motor', 'motor.claim.opened', 'motor.issued']);
    });
  });
});
