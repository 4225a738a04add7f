import { plainTable, type FieldTable } from '../protocol';
import type { Exchange } from '../model/exchange';
import type { Queue } from '../model/queue';
import type { Vhost } from '../model/vhost';
import type { Broker } from '../server/broker';
import type { Connection } from '../server/connection';

/** JSON-safe arguments (64-bit integers become numbers or strings, buffers text). */
export function jsonArguments(table: FieldTable): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(plainTable(table), (_key, value: unknown) => {
      if (typeof value === 'bigint')
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      if (
        value !== null &&
        typeof value === 'object' &&
        (value as { type?: string }).type === 'Buffer'
      ) {
        return Buffer.from((value as { data: number[] }).data).toString('utf8');
      }
      return value;
    }),
  ) as Record<string, unknown>;
}

/** A queue in the shape of RabbitMQ's /api/queues entries (the fields clients read). */
export function queueView(queue: Queue): Record<string, unknown> {
  const c = queue.counters;
  return {
    name: queue.name,
    vhost: queue.vhost,
    type: queue.settings.type,
    durable: queue.durable,
    auto_delete: queue.autoDelete,
    exclusive: queue.exclusiveOwner !== undefined,
    arguments: jsonArguments(queue.args),
    messages: queue.messageCount + queue.unacked,
    messages_ready: queue.messageCount,
    messages_unacknowledged: queue.unacked,
    message_bytes_ready: queue.messageBytes,
    consumers: queue.consumerCount,
    single_active_consumer_tag: queue.consumers.active?.tag ?? null,
    message_stats: {
      publish: c.published,
      deliver_get: c.delivered,
      ack: c.acked,
      redeliver: c.redelivered,
      dead_lettered: c.deadLettered,
      expired: c.expired,
      dropped: c.dropped,
    },
  };
}

export function exchangeView(exchange: Exchange): Record<string, unknown> {
  return {
    name: exchange.name,
    vhost: exchange.vhost,
    type: exchange.type,
    durable: exchange.durable,
    auto_delete: exchange.autoDelete,
    internal: exchange.internal,
    arguments: jsonArguments(exchange.args),
  };
}

/** Bindings of a vhost, the default exchange's implicit ones first (as RabbitMQ lists them). */
export function bindingViews(vhost: Vhost): Record<string, unknown>[] {
  const views: Record<string, unknown>[] = [];
  for (const queue of vhost.queues.values()) {
    views.push({
      source: '',
      vhost: vhost.name,
      destination: queue.name,
      destination_type: 'queue',
      routing_key: queue.name,
      arguments: {},
      properties_key: queue.name,
    });
  }
  for (const binding of vhost.bindings()) {
    views.push({
      source: binding.source.name,
      vhost: vhost.name,
      destination: binding.destination.name,
      destination_type: binding.destination.kind,
      routing_key: binding.routingKey,
      arguments: jsonArguments(binding.args),
      properties_key: binding.routingKey === '' ? '~' : binding.routingKey,
    });
  }
  return views;
}

export function connectionView(connection: Connection): Record<string, unknown> {
  return {
    name: `${connection.remoteAddress}:${connection.remotePort}`,
    user: connection.user,
    vhost: connection.vhostName ?? null,
    channels: connection.channelCount(),
    peer_host: connection.remoteAddress,
    peer_port: connection.remotePort,
    connected_at: connection.connectedAt,
    heartbeat: connection.heartbeat,
    frame_max: connection.frameMax,
    client_properties: connection.clientProperties,
    send_oct: connection.out.bytesSent,
  };
}

/** What a user's overview covers: the vhosts and connections it may see. */
export interface OverviewScope {
  readonly vhosts: readonly Vhost[];
  readonly connections: readonly Connection[];
  /** A monitor (RabbitMQ's administrator/monitoring): broker-wide counters and store too. */
  readonly everything: boolean;
}

export function overviewView(broker: Broker, scope: OverviewScope): Record<string, unknown> {
  let queues = 0;
  let exchanges = 0;
  let consumers = 0;
  let ready = 0;
  let unacked = 0;
  // a user limited to some vhosts sees message rates of their queues only
  const queueStats = { publish: 0, deliver_get: 0, ack: 0 };
  for (const vhost of scope.vhosts) {
    exchanges += vhost.exchanges.size;
    for (const queue of vhost.queues.values()) {
      queues++;
      consumers += queue.consumerCount;
      ready += queue.messageCount;
      unacked += queue.unacked;
      queueStats.publish += queue.counters.published;
      queueStats.deliver_get += queue.counters.delivered;
      queueStats.ack += queue.counters.acked;
    }
  }
  let channels = 0;
  for (const connection of scope.connections) channels += connection.channelCount();
  const c = broker.counters;
  return {
    product_name: 'Surety',
    management_version: '0.1.0',
    node: 'surety@localhost',
    object_totals: {
      connections: scope.connections.length,
      channels,
      exchanges,
      queues,
      consumers,
    },
    queue_totals: {
      messages: ready + unacked,
      messages_ready: ready,
      messages_unacknowledged: unacked,
    },
    message_stats: scope.everything
      ? {
          publish: c.published,
          deliver_get: c.delivered,
          ack: c.acked,
          confirm: c.confirmed,
          return_unroutable: c.returned,
        }
      : queueStats,
    alarms: broker.alarm.active,
    ...(scope.everything ? { store: broker.store?.stats() } : {}),
  };
}
