import { DEFAULT_MAX_MESSAGE_BYTES, InvalidMessageError } from '@surety/messaging';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

// A body past the broker's max_message_size makes the broker close the channel, and
// with it every publish in flight on it. The publisher refuses it before sending.
jest.setTimeout(60_000);

describeEachBroker('publishing: a message larger than the broker takes', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('is refused with InvalidMessageError, alone: the messages around it are confirmed on the same channel', async () => {
    const queue = uniqueName('oversized');
    const app = await apps.start([], { topology: { queues: [{ name: queue }] } });
    // One byte over the default limit once JSON-encoded (the two quotes).
    const huge = 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES - 1);

    const before = app.publisher.publish('', queue, { n: 1 });
    const refused = app.publisher.publish('', queue, huge, { messageId: 'too-big' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const after = app.publisher.publish('', queue, { n: 2 });

    const error = await refused;
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).retryable).toBe(false);
    expect((error as Error).message).toMatch(
      new RegExp(`too-big.*${DEFAULT_MAX_MESSAGE_BYTES + 1} bytes.*maxMessageBytes`),
    );
    // Sent, the body would have closed the shared channel: `after` would fail with it.
    await Promise.all([before, after]);
    expect(apps.logs.lines.filter((l) => l.message.includes('confirm channel error'))).toEqual([]);
    const raw = await RawAmqp.open(broker().url);
    try {
      expect((await raw.drain(queue)).map((m) => JSON.parse(m.content.toString()))).toEqual([
        { n: 1 },
        { n: 2 },
      ]);
    } finally {
      await raw.close();
    }
  });

  it('refuses a limit that is not a positive integer when the module starts', async () => {
    await expect(apps.start([], { publishing: { maxMessageBytes: 0 } })).rejects.toThrow(
      /publishing.maxMessageBytes must be a positive integer, got 0/,
    );
  });
});
