import type { Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ConnectionManager,
  DeadLetterService,
  MessageScheduler,
  MessagingModule,
  Publisher,
  RpcClient,
  TopologyRegistry,
  type MessagingModuleOptions,
} from '@surety/messaging';
import { uniqueName } from '../../support/names';
import { CapturingLogger } from './capturing-logger';
import { RawAmqp } from './raw-amqp';

/** A started Nest application context with MessagingModule, and its services. */
export interface TestApp {
  readonly module: TestingModule;
  readonly publisher: Publisher;
  readonly rpc: RpcClient;
  readonly deadLetters: DeadLetterService;
  readonly scheduler: MessageScheduler;
  readonly connections: ConnectionManager;
  readonly topology: TopologyRegistry;
  get<T>(token: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** Few levels keep per-test delay infrastructure small; 17 levels x 100 ms still covers > 1 h. */
export const TEST_DELAY_LEVELS = 17;

/**
 * Starts apps against one broker and cleans up after them: every entity any
 * of them declared (delay levels included: each test run gets its own delay
 * prefix) is deleted in closeAll().
 */
export class TestApps {
  private readonly apps: TestApp[] = [];
  private readonly declared: TopologyRegistry[] = [];
  readonly delayPrefix = uniqueName('surety.delay');
  /** Every log line of every app started here (Nest's logger is process-wide). */
  readonly logs = new CapturingLogger();

  constructor(private readonly brokerUrl: () => string) {}

  async start(
    providers: Provider[] = [],
    options: Partial<MessagingModuleOptions> = {},
  ): Promise<TestApp> {
    const module = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot({
          urls: this.brokerUrl(),
          delay: { prefix: this.delayPrefix, levels: TEST_DELAY_LEVELS },
          shutdownTimeoutMs: 5_000,
          ...options,
        }),
      ],
      providers,
    }).compile();
    module.useLogger(this.logs);
    const topology = module.get(TopologyRegistry);
    this.declared.push(topology);
    await module.init();
    let closed = false;
    const app: TestApp = {
      module,
      publisher: module.get(Publisher),
      rpc: module.get(RpcClient),
      deadLetters: module.get(DeadLetterService),
      scheduler: module.get(MessageScheduler),
      connections: module.get(ConnectionManager),
      topology,
      get: (token) => module.get(token),
      close: async () => {
        if (closed) return;
        closed = true;
        await module.close();
      },
    };
    this.apps.push(app);
    return app;
  }

  /** Closes every app, then deletes what they declared. */
  async closeAll(extraQueues: string[] = []): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.close().catch(() => undefined)));
    const raw = await RawAmqp.open(this.brokerUrl());
    try {
      for (const topology of this.declared.splice(0)) {
        await raw.deleteTopology(topology.list(), extraQueues);
      }
    } finally {
      await raw.close();
    }
  }
}
