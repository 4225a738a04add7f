export { EmbeddedBroker, type EmbeddedBrokerOptions, type RunningBroker } from './embedded-broker';
export { BrokerModule, EmbeddedBrokerHost, type BrokerModuleOptions } from './broker.module';
export { Broker, type BrokerLogger, type BrokerCounters } from './server/broker';
export {
  resolveBrokerConfig,
  loadBrokerConfigFile,
  type BrokerConfig,
  type BrokerConfigInput,
} from './config/broker-config';
