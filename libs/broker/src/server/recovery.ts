import { decodeTable, type FieldTable } from '../protocol';
import type { RecoveredState } from '../store';
import { DelayedMessageExchange } from '../model/exchanges/delayed-message';
import { Message } from '../model/message';
import type { Vhost } from '../model/vhost';
import { RecoveredMessages } from './recovered-messages';
import { DELAYED_DUE_HEADER, DELAYED_QUEUE_PREFIX, type DelayedHandle } from './store-durability';

/** Owner recorded for recovered queues (durable queues are never exclusive). */
const RECOVERY_OWNER = {};

/**
 * Rebuilds vhosts from what the store kept: durable exchanges, queues, bindings,
 * then each queue's persistent messages in their original order, and the held
 * messages of durable delayed exchanges with their original due times.
 * Messages come from `recovered` (the store's visitor: bodies beyond the memory
 * budget stay on disk and are restored as paged) or else from state.messages.
 * Returns the delayed pseudo-queue keys that exist in the store.
 */
export function recoverState(
  state: RecoveredState,
  vhostOf: (name: string) => Vhost,
  log: (message: string) => void,
  recovered?: RecoveredMessages,
): Set<string> {
  for (const d of state.exchanges) {
    attempt(log, `exchange '${d.name}'`, () =>
      vhostOf(d.vhost).declareExchange({
        name: d.name,
        type: d.type,
        passive: false,
        durable: true,
        autoDelete: d.autoDelete,
        internal: d.internal,
        args: tableOf(d.arguments),
      }),
    );
  }
  const delayedKeys = new Set<string>();
  for (const d of state.queues) {
    if (d.name.startsWith(DELAYED_QUEUE_PREFIX)) {
      delayedKeys.add(`${d.vhost}/${d.name}`);
      continue;
    }
    attempt(log, `queue '${d.name}'`, () =>
      vhostOf(d.vhost).declareQueue(
        {
          name: d.name,
          passive: false,
          durable: true,
          exclusive: false,
          autoDelete: d.autoDelete,
          args: tableOf(d.arguments),
        },
        RECOVERY_OWNER,
      ),
    );
  }
  for (const b of state.bindings) {
    attempt(log, `binding '${b.source}' -> '${b.destination}'`, () => {
      const vhost = vhostOf(b.vhost);
      if (b.destinationKind === 'queue') {
        vhost.bindQueue(
          b.destination,
          b.source,
          b.routingKey,
          tableOf(b.arguments),
          RECOVERY_OWNER,
        );
      } else {
        vhost.bindExchange(b.destination, b.source, b.routingKey, tableOf(b.arguments));
      }
    });
  }
  for (const d of state.queues) {
    const key = `${d.vhost}/${d.name}`;
    const fromVisitor = recovered?.get(key);
    const messages = fromVisitor?.loaded ?? state.messages.get(key) ?? [];
    const vhost = vhostOf(d.vhost);
    if (delayedKeys.has(key)) {
      const exchange = vhost.exchanges.get(d.name.slice(DELAYED_QUEUE_PREFIX.length));
      if (!(exchange instanceof DelayedMessageExchange)) continue;
      for (const { ref, message } of messages) {
        const stored = new Message(
          message.exchange,
          message.routingKey,
          Buffer.from(message.header),
          message.body,
        );
        const props = stored.properties;
        const due = props.headers?.[DELAYED_DUE_HEADER];
        const headers: FieldTable = { ...(props.headers ?? {}) };
        delete headers[DELAYED_DUE_HEADER];
        const original = stored.withProperties(stored.exchange, stored.routingKey, {
          ...props,
          headers,
        });
        const handle: DelayedHandle = { key, ref, released: false };
        exchange.hold(original, due === undefined ? Date.now() : Number(due.value), handle);
      }
      continue;
    }
    const queue = vhost.queues.get(d.name);
    if (queue === undefined) continue;
    for (const { ref, message, redelivered } of messages) {
      queue.restore(
        new Message(message.exchange, message.routingKey, message.header, message.body),
        ref,
        redelivered,
      );
    }
    if (fromVisitor !== undefined) {
      RecoveredMessages.forEachPaged(fromVisitor.paged, (ref, size, priority, expiration) =>
        queue.restorePaged(ref, size, priority, expiration),
      );
    }
  }
  return delayedKeys;
}

function tableOf(bytes: Buffer): FieldTable {
  return bytes.length === 0 ? {} : decodeTable(bytes);
}

function attempt(log: (message: string) => void, what: string, action: () => unknown): void {
  try {
    action();
  } catch (error) {
    log(`recovery: skipped ${what}: ${(error as Error).message}`);
  }
}
