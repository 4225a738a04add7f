import { connect } from 'amqplib';
import type { TestingModule } from '@nestjs/testing';
import { TopologyRegistry } from '@surety/messaging';

/**
 * What an app declared (queues, dead-letter queues, delay levels), captured before
 * it closes; calling the result deletes all of it on a fresh connection.
 */
export function declaredBy(module: TestingModule, url: string): () => Promise<void> {
  const topology = module.get(TopologyRegistry).list();
  return () =>
    deleteEntities(url, {
      queues: (topology.queues ?? []).map((q) => q.name),
      exchanges: (topology.exchanges ?? [])
        .map((e) => e.name)
        .filter((name) => name !== '' && !name.startsWith('amq.')),
    });
}

/** Deletes queues and exchanges by name, ignoring the ones already gone. */
export async function deleteEntities(
  url: string,
  entities: { queues?: string[]; exchanges?: string[] },
): Promise<void> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    const names = [
      ...(entities.queues ?? []).map((name) => ['queue', name] as const),
      ...(entities.exchanges ?? []).map((name) => ['exchange', name] as const),
    ];
    for (const [kind, name] of names) {
      // A failed delete closes its channel: one channel per entity.
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      if (kind === 'queue') await channel.deleteQueue(name).catch(() => undefined);
      else await channel.deleteExchange(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
