import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConnectionManager, MessagingHealthIndicator, MessagingModule } from '@surety/messaging';
import { eventually } from '../support/eventually';
import { describeEachBroker } from './support/broker-matrix';
import { CapturingLogger } from './support/capturing-logger';
import { TcpProxy } from '../support/tcp-proxy';

/** The controller docs/messaging/module-setup.md shows, unchanged. */
@Controller('health')
class HealthController {
  constructor(
    private health: HealthCheckService,
    private messaging: MessagingHealthIndicator,
  ) {}
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.messaging.isHealthy('broker')]);
  }
}

// The indicator as an application uses it: through Terminus's HealthCheckService,
// which turns a `down` into the 503 a load balancer or Kubernetes probe acts on.
describeEachBroker('health through @nestjs/terminus', (broker) => {
  let proxy: TcpProxy;
  let moduleRef: TestingModule | undefined;
  beforeEach(async () => {
    proxy = await TcpProxy.start(broker().url);
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    await proxy.close();
  });

  it('reports ok while connected and a 503 naming the broker once the connection is lost', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        MessagingModule.forRoot({
          urls: proxy.urlFor(broker().url),
          delay: false,
          reconnect: { initialMs: 50, maxMs: 300 },
        }),
      ],
      controllers: [HealthController],
    }).compile();
    moduleRef.useLogger(new CapturingLogger());
    await moduleRef.init();
    const controller = moduleRef.get(HealthController);

    await expect(controller.check()).resolves.toMatchObject({
      status: 'ok',
      info: { broker: { status: 'up', blocked: false } },
      error: {},
    });

    proxy.refuse();
    await eventually(() => expect(moduleRef!.get(ConnectionManager).connected).toBe(false));
    await eventually(async () => {
      const failure = await controller.check().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ServiceUnavailableException);
      expect((failure as ServiceUnavailableException).getResponse()).toMatchObject({
        status: 'error',
        error: {
          broker: {
            status: 'down',
            message: 'not connected to the broker',
            tried: [expect.stringContaining(`127.0.0.1:${proxy.port}`)],
          },
        },
      });
    });

    proxy.accept();
    await eventually(() =>
      expect(controller.check()).resolves.toMatchObject({
        status: 'ok',
        info: { broker: { status: 'up', reconnects: 1 } },
      }),
    );
  });
});
