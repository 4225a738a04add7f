import type { BindingDefinition, ExchangeDefinition, QueueDefinition } from './types';
import { queueKeyOf } from './types';

/** One line of the definitions log, after decoding. */
export type DefinitionEntry =
  | { op: 'put'; kind: 'exchange'; def: ExchangeDefinition }
  | { op: 'put'; kind: 'queue'; def: QueueDefinition }
  | { op: 'put' | 'del'; kind: 'binding'; def: BindingDefinition }
  | { op: 'del'; kind: 'exchange' | 'queue'; vhost: string; name: string };

/**
 * The durable topology the log describes. Deleting a queue or an exchange also drops
 * the bindings that involve it, as the broker does, so replay needs no extra records.
 */
export class DefinitionsState {
  readonly exchanges = new Map<string, ExchangeDefinition>();
  readonly queues = new Map<string, QueueDefinition>();
  readonly bindings = new Map<string, BindingDefinition>();

  apply(entry: DefinitionEntry): void {
    switch (entry.kind) {
      case 'exchange':
        if (entry.op === 'put')
          this.exchanges.set(queueKeyOf(entry.def.vhost, entry.def.name), entry.def);
        else this.deleteExchange(entry.vhost, entry.name);
        return;
      case 'queue':
        if (entry.op === 'put')
          this.queues.set(queueKeyOf(entry.def.vhost, entry.def.name), entry.def);
        else this.deleteQueue(entry.vhost, entry.name);
        return;
      case 'binding':
        if (entry.op === 'put') this.bindings.set(bindingKey(entry.def), entry.def);
        else this.bindings.delete(bindingKey(entry.def));
        return;
    }
  }

  /** The entries that recreate this state (what a compacted log holds). */
  *entries(): Iterable<DefinitionEntry> {
    for (const def of this.exchanges.values()) yield { op: 'put', kind: 'exchange', def };
    for (const def of this.queues.values()) yield { op: 'put', kind: 'queue', def };
    for (const def of this.bindings.values()) yield { op: 'put', kind: 'binding', def };
  }

  get size(): number {
    return this.exchanges.size + this.queues.size + this.bindings.size;
  }

  private deleteQueue(vhost: string, name: string): void {
    this.queues.delete(queueKeyOf(vhost, name));
    for (const [key, b] of this.bindings) {
      if (b.vhost === vhost && b.destinationKind === 'queue' && b.destination === name) {
        this.bindings.delete(key);
      }
    }
  }

  private deleteExchange(vhost: string, name: string): void {
    this.exchanges.delete(queueKeyOf(vhost, name));
    for (const [key, b] of this.bindings) {
      const fromIt = b.source === name;
      const toIt = b.destinationKind === 'exchange' && b.destination === name;
      if (b.vhost === vhost && (fromIt || toIt)) this.bindings.delete(key);
    }
  }
}

/** Bindings are identified by all their fields, arguments included (as AMQP does). */
export function bindingKey(b: BindingDefinition): string {
  return JSON.stringify([
    b.vhost,
    b.source,
    b.destination,
    b.destinationKind,
    b.routingKey,
    b.arguments.toString('base64'),
  ]);
}
