import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  MessageHandlerWrapper,
  MessagingHealthIndicator,
  MessagingModule,
  Publisher,
  Subscribe,
  TopologyRegistry,
  TraceContext,
  type BoundHandler,
  type ConsumerMiddleware,
  type HandlerDescription,
  type MessageContext,
} from '@surety/messaging';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { describeEachBroker } from './support/broker-matrix';
import { CapturingLogger } from './support/capturing-logger';
import { RawAmqp } from './support/raw-amqp';
import { TcpProxy } from '../support/tcp-proxy';
import { TestApps } from './support/test-apps';

describeEachBroker('MessagingModule', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('forRootAsync takes its settings from @nestjs/config', async () => {
    const queue = uniqueName('module.async');
    const got: unknown[] = [];

    @Injectable()
    class Consumer {
      @Subscribe({ queue })
      async handle(payload: unknown) {
        got.push(payload);
      }
    }

    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ BROKER: broker().url })] }),
        MessagingModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            urls: config.getOrThrow<string>('BROKER'),
            connectionName: 'module-test',
            delay: false,
          }),
        }),
      ],
      providers: [Consumer],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    moduleRef.useLogger(new CapturingLogger());
    await moduleRef.init();
    try {
      await moduleRef.get(Publisher).publish('', queue, { via: 'config' });
      await eventually(() => expect(got).toEqual([{ via: 'config' }]));
    } finally {
      const topology = moduleRef.get(TopologyRegistry).list();
      await moduleRef.close();
      const raw = await RawAmqp.open(broker().url);
      await raw.deleteTopology(topology, [`${queue}.dlq`]);
      await raw.close();
    }
  });

  it('reports health for @nestjs/terminus: up when connected, down naming the URL when not', async () => {
    const proxy = await TcpProxy.start(broker().url);
    try {
      const app = await apps.start([], {
        urls: proxy.urlFor(broker().url),
        reconnect: { initialMs: 50 },
      });
      const health = app.get(MessagingHealthIndicator);
      expect(health.isHealthy()).toEqual({
        messaging: expect.objectContaining({ status: 'up', blocked: false }),
      });
      proxy.refuse();
      await eventually(() => {
        const down = health.isHealthy('broker') as { broker: { status: string; tried: string[] } };
        expect(down.broker.status).toBe('down');
        expect(down.broker.tried.join()).toContain(`127.0.0.1:${proxy.port}`);
      });
    } finally {
      await apps.closeAll();
      await proxy.close();
    }
  });

  it('continues the trace and the correlation id into handlers and their publishes', async () => {
    const first = uniqueName('trace.first');
    const second = uniqueName('trace.second');
    const seen: { first?: MessageContext; inHandler?: string; second?: MessageContext } = {};

    @Injectable()
    class Chain {
      constructor(private readonly publisher: Publisher) {}
      @Subscribe({ queue: first })
      async onFirst(_: unknown, ctx: MessageContext) {
        seen.first = ctx;
        seen.inHandler = TraceContext.current();
        await this.publisher.publish('', second, { step: 2 });
      }
      @Subscribe({ queue: second })
      async onSecond(_: unknown, ctx: MessageContext) {
        seen.second = ctx;
      }
    }

    const app = await apps.start([Chain]);
    const root = TraceContext.newRoot();
    const id = await TraceContext.run(root, () => app.publisher.publish('', first, { step: 1 }));
    await eventually(() => expect(seen.second).toBeDefined());

    const traceId = TraceContext.traceId(root);
    expect(seen.first!.traceparent).toBe(root);
    expect(TraceContext.traceId(seen.inHandler!)).toBe(traceId);
    expect(seen.inHandler).not.toBe(root); // a new span of the same trace
    expect(seen.second!.traceparent).toBe(seen.inHandler);
    expect(seen.second!.correlationId).toBe(id); // the chain keeps the first message's correlation id
    expect(seen.second!.messageId).not.toBe(id);
  });

  it('runs consumer middleware in order around the handler, and through the handler wrapper', async () => {
    const queue = uniqueName('pipeline.orders');
    const trail: string[] = [];
    const outer: ConsumerMiddleware = async (ctx, next) => {
      trail.push(`outer>${ctx.message.type}`);
      await next();
      trail.push('outer<');
    };
    const dedupe: ConsumerMiddleware = async (ctx, next) => {
      // What an idempotency stage does: a message already done is acked without the handler.
      if ((ctx.payload as { duplicate?: boolean }).duplicate) {
        trail.push('skipped');
        return;
      }
      await next();
    };
    class CountingWrapper extends MessageHandlerWrapper {
      wrapped: string[] = [];
      override wrap(handler: BoundHandler, description: HandlerDescription): BoundHandler {
        this.wrapped.push(description.name);
        return (payload, context) => {
          trail.push('wrapper');
          return handler(payload, context);
        };
      }
    }
    const wrapper = new CountingWrapper();

    @Injectable()
    class Orders {
      @Subscribe({ queue, prefetch: 1 })
      async handle() {
        trail.push('handler');
      }
    }

    const app = await apps.start([Orders], {
      consumerMiddleware: [outer, dedupe],
      handlerWrapper: wrapper,
    });
    await app.publisher.publish('', queue, {}, { type: 'order.placed' });
    await eventually(() =>
      expect(trail).toEqual(['outer>order.placed', 'wrapper', 'handler', 'outer<']),
    );
    await app.publisher.publish('', queue, { duplicate: true }, { type: 'order.placed' });
    await eventually(() =>
      expect(trail.slice(4)).toEqual(['outer>order.placed', 'skipped', 'outer<']),
    );
    expect(wrapper.wrapped).toEqual(['Orders.handle']);
    const raw = await RawAmqp.open(broker().url);
    try {
      await eventually(async () => expect(await raw.messageCount(queue)).toBe(0)); // both acked
    } finally {
      await raw.close();
    }
  });
});
