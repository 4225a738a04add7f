import { Injectable } from '@nestjs/common';
import {
  BrokerUnreachableError,
  MessagingConfigurationError,
  Subscribe,
  TopologyError,
} from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { RawAmqp } from './support/raw-amqp';
import { TcpProxy } from '../support/tcp-proxy';
import { TestApps } from './support/test-apps';

function collector(queue: string, into: unknown[], extra: object = {}) {
  @Injectable()
  class Collector {
    @Subscribe({ queue, ...extra })
    async collect(payload: unknown) {
      into.push(payload);
    }
  }
  return Collector;
}

describeEachBroker('bad input', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('a binding to an undeclared exchange: a clear error naming it, the rest keeps serving', async () => {
    const missing = uniqueName('bad.no-such-exchange');
    const orphan = uniqueName('bad.orphan');
    const healthy = uniqueName('bad.healthy');
    const got: unknown[] = [];
    const app = await apps.start([
      collector(orphan, [], { exchange: missing, routingKey: 'x' }),
      collector(healthy, got),
    ]);

    const failures = app.topology.lastFailures;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TopologyError);
    expect(failures[0].message).toContain(`binding of queue '${orphan}' to exchange '${missing}'`);
    expect(failures[0].message).toMatch(/404|NOT_FOUND/);
    expect(apps.logs.errors().some((line) => line.includes(missing))).toBe(true);

    await app.publisher.publish('', healthy, { still: 'serving' });
    await eventually(() => expect(got).toEqual([{ still: 'serving' }]));
  });

  it('a queue redeclared with other arguments: a clear error naming the queue; its consumer stays off, others run', async () => {
    const clash = uniqueName('bad.clash');
    const healthy = uniqueName('bad.healthy');
    const raw = await RawAmqp.open(broker().url);
    await raw.run((c) =>
      c.assertQueue(clash, { durable: true, arguments: { 'x-message-ttl': 60_000 } }),
    );
    await raw.run(async (c) => c.sendToQueue(clash, Buffer.from('{}')));
    const got: unknown[] = [];
    const clashGot: unknown[] = [];
    try {
      const app = await apps.start(
        [
          collector(clash, clashGot, { queueOptions: { arguments: { 'x-message-ttl': 5_000 } } }),
          collector(healthy, got),
        ],
        {},
      );
      const [failure] = app.topology.lastFailures;
      expect(failure.message).toContain(`queue '${clash}'`);
      expect(failure.message).toMatch(/inequivalent arg 'x-message-ttl'/);
      expect(apps.logs.errors().some((l) => l.includes(`not consuming queue '${clash}'`))).toBe(
        true,
      );

      await app.publisher.publish('', healthy, { ok: 1 });
      await eventually(() => expect(got).toEqual([{ ok: 1 }]));
      expect(clashGot).toEqual([]);
      expect(await raw.messageCount(clash)).toBe(1);
    } finally {
      await raw.run((c) => c.deleteQueue(clash)).catch(() => undefined);
      await raw.close();
    }
  });

  it('an unreachable broker at start: fail-fast names every URL tried with passwords masked', async () => {
    const proxy = await TcpProxy.start(broker().url);
    proxy.refuse();
    const first = proxy.urlFor('amqp://app:s3cret@127.0.0.1/');
    const second = 'amqp://app:s3cret@127.0.0.1:1/';
    try {
      const error = await apps.start([], { urls: `${first},${second}` }).catch((e) => e);
      expect(error).toBeInstanceOf(BrokerUnreachableError);
      expect(error.message).toContain(`amqp://app:***@127.0.0.1:${proxy.port}`);
      expect(error.message).toContain('amqp://app:***@127.0.0.1:1');
      expect(error.message).not.toContain('s3cret');
    } finally {
      await proxy.close();
    }
  });

  it('an unreachable broker at start in retry mode: the app starts and connects once the broker is back', async () => {
    const proxy = await TcpProxy.start(broker().url);
    proxy.refuse();
    const queue = uniqueName('bad.later');
    const got: unknown[] = [];
    try {
      const app = await apps.start([collector(queue, got)], {
        urls: proxy.urlFor(broker().url),
        startup: 'retry',
        reconnect: { initialMs: 50, maxMs: 200 },
      });
      expect(app.connections.connected).toBe(false);
      const publish = app.publisher.publish('', queue, { late: true });
      await eventually(() =>
        expect(apps.logs.errors().some((l) => l.includes('no broker reachable'))).toBe(true),
      );
      proxy.accept();
      await publish;
      await eventually(() => expect(got).toEqual([{ late: true }]));
    } finally {
      await apps.closeAll();
      await proxy.close();
    }
  });

  it('RABBITMQ_URL unset or malformed: one clear error naming the variable and what was tried', async () => {
    const saved = process.env.RABBITMQ_URL;
    try {
      delete process.env.RABBITMQ_URL;
      const unset = await apps.start([], { urls: undefined }).catch((e) => e);
      expect(unset).toBeInstanceOf(MessagingConfigurationError);
      expect(unset.message).toContain('RABBITMQ_URL is not set');

      process.env.RABBITMQ_URL =
        'amqp://u:hunter2@good-host:5672, http://u:hunter2@web:8080 ,not a url';
      const malformed = await apps.start([], { urls: undefined }).catch((e) => e);
      expect(malformed).toBeInstanceOf(MessagingConfigurationError);
      expect(malformed.message).toContain('RABBITMQ_URL is malformed');
      expect(malformed.message).toContain(
        "'http://u:***@web:8080': protocol must be amqp: or amqps:",
      );
      expect(malformed.message).toContain("'not a url': not a URL");
      expect(malformed.message).not.toContain('hunter2');
    } finally {
      if (saved === undefined) delete process.env.RABBITMQ_URL;
      else process.env.RABBITMQ_URL = saved;
    }
  });

  it('a prefetch or concurrency below 1: the start fails naming the queue, rather than a consumer that takes every message and runs none', async () => {
    const queue = uniqueName('bad.prefetch');
    for (const [option, value] of [
      ['prefetch', 0], // AMQP's "no limit"; concurrency defaulted to it, so nothing ever ran
      ['concurrency', 0],
      ['prefetch', 2.5],
    ] as const) {
      const error = await apps
        .start([collector(queue, [], { [option]: value })])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagingConfigurationError);
      expect((error as Error).message).toBe(
        `queue '${queue}': ${option} must be a whole number of at least 1, got ${value}`,
      );
    }
  });

  it('a handler that returns a non-promise: dead-lettered with an error naming the handler; others keep working', async () => {
    const syncQueue = uniqueName('bad.sync');
    const healthy = uniqueName('bad.healthy');
    const got: unknown[] = [];

    @Injectable()
    class SyncHandler {
      @Subscribe({ queue: syncQueue })
      handle(): number {
        return 42;
      }
    }

    const app = await apps.start([SyncHandler, collector(healthy, got)]);
    await app.publisher.publish('', syncQueue, { n: 1 });
    await app.publisher.publish('', healthy, { n: 2 });
    await eventually(async () => {
      const [entry] = await app.deadLetters.list(`${syncQueue}.dlq`);
      expect(entry.reason).toBe('handler-contract');
      expect(entry.errorMessage).toContain(
        `handler SyncHandler.handle for queue '${syncQueue}' returned a number`,
      );
    });
    await eventually(() => expect(got).toEqual([{ n: 2 }]));
  });

  it('retries with delays off (delay: false): a failure is dead-lettered after one attempt, never requeued in a loop', async () => {
    const queue = uniqueName('bad.nodelay');
    const explicit = uniqueName('bad.nodelay-explicit');
    let calls = 0;

    @Injectable()
    class AlwaysFails {
      @Subscribe({ queue }) // the default: 3 attempts
      async handle() {
        calls++;
        throw new Error('downstream refused');
      }

      @Subscribe({ queue: explicit, retry: { attempts: 4 } })
      async handleExplicit() {
        throw new Error('never retried');
      }
    }

    const app = await apps.start([AlwaysFails], { delay: false });
    expect(
      apps.logs
        .warnings()
        .some((line) =>
          line.includes('AlwaysFails.handleExplicit asks for 4 attempts, but delays are off'),
        ),
    ).toBe(true);

    await app.publisher.publish('', queue, { n: 1 });
    await eventually(async () => {
      const [entry] = await app.deadLetters.list(`${queue}.dlq`);
      expect(entry.reason).toBe('retries-exhausted');
      expect(entry.attempts).toBe(1);
      expect(entry.errorMessage).toBe('downstream refused');
    });
    // Before the fix the message was requeued every second, forever: wait past that.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(calls).toBe(1);
    expect(await app.deadLetters.list(`${queue}.dlq`)).toHaveLength(1);
  });

  it('a non-JSON payload: dead-lettered with the reason, the consumer goes on', async () => {
    const queue = uniqueName('bad.nonjson');
    const got: unknown[] = [];
    const app = await apps.start([collector(queue, got)]);
    const raw = await RawAmqp.open(broker().url);
    try {
      await raw.run(async (c) => {
        c.sendToQueue(queue, Buffer.from('<xml/>'), {
          messageId: 'xml-1',
          contentType: 'text/xml',
        });
        c.sendToQueue(queue, Buffer.from('{"fine":true}'));
      });
    } finally {
      await raw.close();
    }
    await eventually(() => expect(got).toEqual([{ fine: true }]));
    const [entry] = await app.deadLetters.list(`${queue}.dlq`);
    expect(entry.messageId).toBe('xml-1');
    expect(entry.reason).toBe('non-json');
    expect(entry.errorMessage).toContain('payload is not JSON (content-type text/xml, 6 bytes');
    expect(entry.payload).toBe('<xml/>');
  });
});
