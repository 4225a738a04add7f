import { Injectable } from '@nestjs/common';
import { MessagingRegistrar, Subscribe } from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TestApps } from './support/test-apps';

// The public way for an application to stop one of its consumers (say, while a
// downstream system is under maintenance) and to start it again.
describeEachBroker('consumers: pause and resume', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('pauses one queue after its running handler finished, leaves new messages queued, and resumes', async () => {
    const paused = uniqueName('pause.paused');
    const other = uniqueName('pause.other');
    const got: string[] = [];
    let markSlowStarted: () => void = () => undefined;
    const slowStarted = new Promise<void>((started) => {
      markSlowStarted = started;
    });
    let finishSlow: () => void = () => undefined;

    @Injectable()
    class Consumers {
      @Subscribe({ queue: paused })
      async onPaused(payload: { n: number }) {
        if (payload.n === 0) {
          markSlowStarted();
          await new Promise<void>((finish) => (finishSlow = finish));
        }
        got.push(`paused:${payload.n}`);
      }
      @Subscribe({ queue: other })
      async onOther(payload: { n: number }) {
        got.push(`other:${payload.n}`);
      }
    }

    const app = await apps.start([Consumers]);
    const registrar = app.get(MessagingRegistrar);
    await app.publisher.publish('', paused, { n: 0 });
    await slowStarted;

    // pause() waits for the running handler: it resolves only after that message is settled.
    let pauseDone = false;
    const pausing = registrar.pause(paused).then(() => (pauseDone = true));
    await eventually(() => expect(registrar.isConsuming(paused)).toBe(false));
    expect(pauseDone).toBe(false);
    finishSlow();
    await pausing;
    expect(got).toEqual(['paused:0']);

    await app.publisher.publish('', paused, { n: 1 });
    await app.publisher.publish('', other, { n: 1 });
    await eventually(() => expect(got).toContain('other:1'));
    const raw = await RawAmqp.open(broker().url);
    try {
      // Nothing of the paused queue is taken, and the settled message is gone (acked).
      expect(await raw.messageCount(paused)).toBe(1);
      expect(got).not.toContain('paused:1');
      expect(registrar.isConsuming(other)).toBe(true);

      await registrar.resume(paused);
      expect(registrar.isConsuming(paused)).toBe(true);
      await eventually(() => expect(got).toContain('paused:1'));
      await eventually(async () => expect(await raw.messageCount(paused)).toBe(0));
    } finally {
      await raw.close();
    }
  });

  it('names the consumed queues when asked to pause one it does not consume', async () => {
    const queue = uniqueName('pause.known');

    @Injectable()
    class Known {
      @Subscribe({ queue })
      async handle() {}
    }

    const app = await apps.start([Known]);
    await expect(app.get(MessagingRegistrar).pause('no.such.queue')).rejects.toThrow(
      `no @Subscribe or @RpcHandler consumes queue 'no.such.queue' (consumed: '${queue}')`,
    );
  });
});
