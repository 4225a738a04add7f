import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OutboxRelayOptions } from './relay/relay-options';

/** @publicApi */
export interface OutboxModuleOptions {
  /** Run the relay in this application (default true; false: only write events). */
  readonly relay?: boolean;
  readonly relayOptions?: OutboxRelayOptions;
}

export const {
  ConfigurableModuleClass: ConfigurableOutboxModule,
  MODULE_OPTIONS_TOKEN: OUTBOX_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<OutboxModuleOptions>({ moduleName: 'SuretyOutbox' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
