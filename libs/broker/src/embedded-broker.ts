import { mkdir } from 'node:fs/promises';
import { openFileStore } from './store';
import {
  loadBrokerConfigFile,
  resolveBrokerConfig,
  type BrokerConfigInput,
} from './config/broker-config';
import { AmqpListener, DEFAULT_HOSTS } from './server/amqp-listener';
import { Broker, silentLogger, type BrokerLogger } from './server/broker';
import { Connection } from './server/connection';

export interface EmbeddedBrokerOptions {
  /** TCP port; 0 (the default) picks a free one. Never 5672 in tests. */
  readonly port?: number;
  /** One address or several; default both loopbacks (127.0.0.1 and ::1). */
  readonly host?: string | readonly string[];
  /** Where durable state lives (created if missing). */
  readonly dataDir: string;
  /** Users, vhosts, permissions, limits (see config/broker-config.ts). */
  readonly config?: BrokerConfigInput;
  /** A JSON config file, used when `config` is not given. */
  readonly configFile?: string;
  /** Start the management HTTP API on this port (0 = any free port). Off when undefined. */
  readonly managementPort?: number;
  readonly logger?: BrokerLogger;
}

/** A started broker. */
export interface RunningBroker {
  /** amqp://host:port (no credentials: guest/guest is the default user). */
  readonly url: string;
  readonly port: number;
  /** http://host:port of the management API when started. */
  readonly managementUrl: string | undefined;
  /** The broker's state (vhosts, counters) for in-process inspection. */
  readonly broker: Broker;
  /** Closes client connections, makes everything durable, closes the store. */
  stop(): Promise<void>;
}

/**
 * The embedded AMQP 0-9-1 broker: real TCP, real clients (amqplib connects to
 * it exactly as to RabbitMQ), durable state under `dataDir`.
 */
export const EmbeddedBroker = {
  async start(options: EmbeddedBrokerOptions): Promise<RunningBroker> {
    const input =
      options.config ?? (options.configFile ? loadBrokerConfigFile(options.configFile) : undefined);
    const config = resolveBrokerConfig(input);
    await mkdir(options.dataDir, { recursive: true });
    const logger = options.logger ?? silentLogger;
    const store = openFileStore({
      dataDir: options.dataDir,
      logger,
      segmentSize: config.segmentSize,
      compactionIntervalMs: config.compactionIntervalMs,
    });
    const broker = await Broker.open({ config, store, dataDir: options.dataDir, logger });
    const listener = new AmqpListener((socket) => new Connection(broker, socket));
    const hosts =
      options.host === undefined
        ? DEFAULT_HOSTS
        : typeof options.host === 'string'
          ? [options.host]
          : options.host;
    try {
      await listener.listen(options.port ?? 0, hosts);
    } catch (error) {
      await broker.close();
      throw error;
    }
    let management: { url: string; close(): Promise<void> } | undefined;
    if (options.managementPort !== undefined) {
      const { startManagement } = await import('./management/management-server');
      try {
        management = await startManagement(broker, {
          port: options.managementPort,
          host: listener.hosts[0]!,
        });
      } catch (error) {
        // close the store too: it holds the data directory's lock
        await broker.close();
        await listener.close();
        throw error;
      }
    }
    const host = listener.hosts[0]!;
    const url = `amqp://${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port: listener.port,
      managementUrl: management?.url,
      broker,
      stop() {
        stopping ??= (async () => {
          await management?.close();
          await broker.close();
          await listener.close();
        })();
        return stopping;
      },
    };
  },
};
