import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EmbeddedBroker, type EmbeddedBrokerOptions, type RunningBroker } from './embedded-broker';

export type BrokerModuleOptions = EmbeddedBrokerOptions;

export const BROKER_OPTIONS = Symbol('surety:broker-options');

/** Holds the running broker; started on module init, stopped on shutdown. */
export class EmbeddedBrokerHost implements OnModuleInit, OnApplicationShutdown {
  private running: RunningBroker | undefined;

  constructor(@Inject(BROKER_OPTIONS) private readonly options: BrokerModuleOptions) {}

  /** The running broker (url, port); throws before the module has initialised. */
  get broker(): RunningBroker {
    if (this.running === undefined)
      throw new Error('BrokerModule: the embedded broker has not started yet');
    return this.running;
  }

  async onModuleInit(): Promise<void> {
    this.running = await EmbeddedBroker.start(this.options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}

/**
 * Starts the embedded broker with the Nest application and stops it on
 * shutdown. Inject EmbeddedBrokerHost to read its url.
 */
@Module({})
export class BrokerModule {
  static forRoot(options: BrokerModuleOptions): DynamicModule {
    return {
      module: BrokerModule,
      global: true,
      providers: [{ provide: BROKER_OPTIONS, useValue: options }, EmbeddedBrokerHost],
      exports: [EmbeddedBrokerHost],
    };
  }
}
