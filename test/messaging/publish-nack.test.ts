import { PublishNackedError } from '@surety/messaging';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

// A real basic.nack from the broker, not a fake channel: a queue full under
// x-overflow reject-publish refuses to store the message, and says so.
describeEachBroker('publishing: a message the broker nacks', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('rejects with a retryable PublishNackedError and keeps publishing other messages', async () => {
    const full = uniqueName('nack.full');
    const other = uniqueName('nack.other');
    const app = await apps.start([], {
      topology: {
        queues: [
          { name: full, options: { maxLength: 1, overflow: 'reject-publish' } },
          { name: other },
        ],
      },
    });

    await app.publisher.publish('', full, { n: 1 });
    const error = await app.publisher.publish('', full, { n: 2 }, { messageId: 'refused-2' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishNackedError);
    const nacked = error as PublishNackedError;
    expect(nacked.retryable).toBe(true);
    expect(nacked.target).toEqual({ exchange: '', routingKey: full, messageId: 'refused-2' });
    expect(nacked.message).toContain('nacked by the broker');

    // The nack took nothing else down: the same publisher confirms other messages,
    // and the refused one is accepted once there is room (what a caller's retry does).
    await expect(app.publisher.publish('', other, { n: 3 })).resolves.toEqual(expect.any(String));
    const raw = await RawAmqp.open(broker().url);
    try {
      expect((await raw.drain(full)).map((m) => JSON.parse(m.content.toString()))).toEqual([
        { n: 1 },
      ]);
      await expect(
        app.publisher.publish('', full, { n: 2 }, { messageId: 'refused-2' }),
      ).resolves.toBe('refused-2');
      expect(await raw.messageCount(full)).toBe(1);
      expect(await raw.messageCount(other)).toBe(1);
    } finally {
      await raw.close();
    }
  });
});
