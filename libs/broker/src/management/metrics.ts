import type { Broker } from '../server/broker';

/**
 * Prometheus text exposition (format 0.0.4) of broker and per-queue figures.
 * Written by hand: a handful of gauges and counters, no global registry to
 * collide with the application's own prom-client metrics.
 */
export function renderMetrics(broker: Broker): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: [string, number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const c = broker.counters;
  metric('surety_broker_connections', 'gauge', 'Open client connections.', [
    ['', broker.connections.size],
  ]);
  metric('surety_broker_messages_published_total', 'counter', 'Messages published by clients.', [
    ['', c.published],
  ]);
  metric(
    'surety_broker_messages_delivered_total',
    'counter',
    'Messages delivered to consumers or fetched by basic.get.',
    [['', c.delivered]],
  );
  metric('surety_broker_messages_acked_total', 'counter', 'Deliveries acknowledged by clients.', [
    ['', c.acked],
  ]);
  metric(
    'surety_broker_messages_confirmed_total',
    'counter',
    'Publisher confirm acks sent (multiple counts once).',
    [['', c.confirmed]],
  );
  metric(
    'surety_broker_messages_returned_total',
    'counter',
    'Unroutable mandatory messages returned.',
    [['', c.returned]],
  );
  metric(
    'surety_broker_resource_alarm',
    'gauge',
    '1 while a memory or disk alarm blocks publishers.',
    [['', broker.blocked ? 1 : 0]],
  );
  metric(
    'surety_broker_message_memory_bytes',
    'gauge',
    'Estimated bytes of ready messages held in memory (paging keeps it near the budget).',
    [['', broker.memory.used]],
  );
  metric(
    'surety_broker_message_memory_budget_bytes',
    'gauge',
    'Memory budget for ready messages; persisted messages beyond it are paged to disk.',
    [['', broker.memory.limit]],
  );
  const ready: [string, number][] = [];
  const paged: [string, number][] = [];
  const unacked: [string, number][] = [];
  const consumers: [string, number][] = [];
  const published: [string, number][] = [];
  for (const vhost of broker.vhosts.values()) {
    for (const queue of vhost.queues.values()) {
      const labels = `{vhost="${escape(vhost.name)}",queue="${escape(queue.name)}"}`;
      ready.push([labels, queue.messageCount]);
      paged.push([labels, queue.pagedCount]);
      unacked.push([labels, queue.unacked]);
      consumers.push([labels, queue.consumerCount]);
      published.push([labels, queue.counters.published]);
    }
  }
  metric('surety_queue_messages_ready', 'gauge', 'Messages ready for delivery.', ready);
  metric(
    'surety_queue_messages_unacked',
    'gauge',
    'Messages delivered and not yet acknowledged.',
    unacked,
  );
  metric('surety_queue_messages_paged', 'gauge', 'Ready messages held only on disk.', paged);
  metric('surety_queue_consumers', 'gauge', 'Consumers subscribed to the queue.', consumers);
  metric('surety_queue_messages_published_total', 'counter', 'Messages enqueued.', published);
  return `${lines.join('\n')}\n`;
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
