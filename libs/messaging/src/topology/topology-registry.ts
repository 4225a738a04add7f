import { Logger } from '@nestjs/common';
import type { Channel, ChannelModel } from 'amqplib';
import { errorText } from '../connection/connection-manager';
import { TopologyError } from '../errors';
import type {
  BindingDeclaration,
  ExchangeDeclaration,
  QueueDeclaration,
  Topology,
} from '../interfaces/topology.interface';

type Declaration =
  | { kind: 'exchange'; key: string; value: ExchangeDeclaration }
  | { kind: 'queue'; key: string; value: QueueDeclaration }
  | { kind: 'binding'; key: string; value: BindingDeclaration };

/**
 * Every exchange, queue and binding the application needs, from module
 * options, decorators, delays and RPC. Declared in one pass per connection
 * (exchanges, then queues, then bindings); a failing declaration is reported
 * as a TopologyError naming the entity and the rest still get declared.
 */
export class TopologyRegistry {
  private readonly logger = new Logger('Surety.Topology');
  private readonly declarations = new Map<string, Declaration>();
  private readonly failures = new Map<string, TopologyError>();

  add(topology: Topology): void {
    for (const exchange of topology.exchanges ?? []) {
      this.put({ kind: 'exchange', key: `exchange '${exchange.name}'`, value: exchange });
    }
    for (const queue of topology.queues ?? []) {
      this.put({ kind: 'queue', key: `queue '${queue.name}'`, value: queue });
    }
    for (const binding of topology.bindings ?? []) {
      this.put({ kind: 'binding', key: describeBinding(binding), value: binding });
    }
  }

  /** Adds and, on a live connection, declares right away (e.g. a delay route for a new target). */
  async ensure(connection: ChannelModel | undefined, topology: Topology): Promise<void> {
    const before = new Set(this.declarations.keys());
    this.add(topology);
    const fresh = [...this.declarations.values()].filter((d) => !before.has(d.key));
    if (connection && fresh.length > 0) {
      const failures = await this.declareList(connection, fresh);
      if (failures.length > 0) {
        // Not kept: a declaration that failed on demand would fail again on every reconnect.
        for (const declaration of fresh) this.declarations.delete(declaration.key);
        throw failures[0];
      }
    }
  }

  /** Errors of the last pass, by entity; consumers of a failed queue are not started. */
  get lastFailures(): readonly TopologyError[] {
    return [...this.failures.values()];
  }

  /** True when the queue, and every binding to it, was declared without error. */
  isQueueUsable(queue: string): boolean {
    for (const [key, failure] of this.failures) {
      const declaration = this.declarations.get(key);
      if (!declaration) continue;
      if (declaration.kind === 'queue' && declaration.value.name === queue) return false;
      if (declaration.kind === 'binding' && declaration.value.queue === queue) {
        this.logger.warn(
          `queue '${queue}' is consumed without one of its bindings: ${failure.message}`,
        );
      }
    }
    return true;
  }

  list(): Topology {
    const all = [...this.declarations.values()];
    return {
      exchanges: all.flatMap((d) => (d.kind === 'exchange' ? [d.value] : [])),
      queues: all.flatMap((d) => (d.kind === 'queue' ? [d.value] : [])),
      bindings: all.flatMap((d) => (d.kind === 'binding' ? [d.value] : [])),
    };
  }

  /** Declares everything; returns the failures (also logged), never throws for one entity. */
  async declareAll(connection: ChannelModel): Promise<TopologyError[]> {
    this.failures.clear();
    const order = { exchange: 0, queue: 1, binding: 2 };
    const all = [...this.declarations.values()].sort((a, b) => order[a.kind] - order[b.kind]);
    return this.declareList(connection, all);
  }

  private put(declaration: Declaration): void {
    this.declarations.set(declaration.key, declaration);
  }

  private async declareList(
    connection: ChannelModel,
    list: Declaration[],
  ): Promise<TopologyError[]> {
    const failures: TopologyError[] = [];
    let channel: Channel | undefined;
    try {
      for (const declaration of list) {
        channel ??= await openQuietChannel(connection);
        try {
          await declare(channel, declaration);
          this.failures.delete(declaration.key);
        } catch (error) {
          const failure = new TopologyError(declaration.key, errorText(error), { cause: error });
          this.failures.set(declaration.key, failure);
          failures.push(failure);
          this.logger.error(failure.message);
          // A declare error closes the channel (404/406); the next entity gets a new one.
          channel = undefined;
        }
      }
    } finally {
      await channel?.close().catch(() => undefined);
    }
    return failures;
  }
}

async function openQuietChannel(connection: ChannelModel): Promise<Channel> {
  const channel = await connection.createChannel();
  // The failing operation's promise carries the error; this keeps it from being unhandled.
  channel.on('error', () => undefined);
  return channel;
}

async function declare(channel: Channel, declaration: Declaration): Promise<void> {
  switch (declaration.kind) {
    case 'exchange': {
      const { name, type, options } = declaration.value;
      await channel.assertExchange(name, type, { durable: true, ...options });
      return;
    }
    case 'queue': {
      const { name, options } = declaration.value;
      await channel.assertQueue(name, { durable: true, ...options });
      return;
    }
    case 'binding': {
      const binding = declaration.value;
      if (binding.queue !== undefined) {
        await channel.bindQueue(binding.queue, binding.source, binding.pattern, binding.arguments);
      } else {
        await channel.bindExchange(
          binding.exchange,
          binding.source,
          binding.pattern,
          binding.arguments,
        );
      }
      return;
    }
  }
}

function describeBinding(binding: BindingDeclaration): string {
  const target =
    binding.queue !== undefined ? `queue '${binding.queue}'` : `exchange '${binding.exchange}'`;
  const args = binding.arguments ? ` ${JSON.stringify(binding.arguments)}` : '';
  return `binding of ${target} to exchange '${binding.source}' with pattern '${binding.pattern}'${args}`;
}
