import type { FieldValue } from '../protocol';
import type { Destination } from './binding';
import type { Exchange } from './exchange';
import type { Message } from './message';
import type { Queue } from './queue';

export interface RouteResult {
  readonly queues: Queue[];
  /** An exchange on the way took the message for later (x-delayed-message). */
  readonly held: boolean;
}

let stampCounter = 0;

/**
 * Walks exchange-to-exchange bindings from the published-to exchange and collects
 * each queue once, however many paths (or loops) lead to it. An exchange whose
 * own bindings match nothing hands the message to its alternate exchange.
 * Routing keys are the message's routing key plus its CC and BCC headers.
 */
export function routeMessage(
  start: Exchange,
  message: Message,
  lookupExchange: (name: string) => Exchange | undefined,
  routingKeys?: readonly string[],
  /** Route a due delayed message through its exchange without holding it again. */
  bypassDelay = false,
): RouteResult {
  const stamp = ++stampCounter;
  const queues: Queue[] = [];
  const found: Destination[] = [];
  const keys = routingKeys ?? (message.hasHeaders ? headerRoutingKeys(message) : undefined);
  let held = false;
  let pending: Exchange[] | undefined;
  let exchange: Exchange | undefined = start;
  start.routeStamp = stamp;
  while (exchange !== undefined) {
    if (!(bypassDelay && exchange === start) && exchange.intercept(message)) {
      held = true;
    } else {
      found.length = 0;
      if (keys === undefined) exchange.route(message, message.routingKey, found);
      else for (const key of keys) exchange.route(message, key, found);
      if (found.length === 0 && exchange.alternateExchange !== undefined) {
        const alternate = lookupExchange(exchange.alternateExchange);
        if (alternate !== undefined) found.push(alternate);
      }
      for (let i = 0; i < found.length; i++) {
        const destination = found[i]!;
        if (destination.routeStamp === stamp) continue;
        destination.routeStamp = stamp;
        if (destination.kind === 'queue') queues.push(destination);
        else (pending ??= []).push(destination);
      }
    }
    exchange = pending?.pop();
  }
  return { queues, held };
}

/** [routing key, ...CC, ...BCC], or undefined when the message has neither header. */
export function headerRoutingKeys(message: Message): string[] | undefined {
  const headers = message.headers;
  if (headers === undefined) return undefined;
  const cc = headers['CC'];
  const bcc = headers['BCC'];
  if (cc === undefined && bcc === undefined) return undefined;
  const keys = [message.routingKey];
  addKeys(keys, cc);
  addKeys(keys, bcc);
  return keys;
}

function addKeys(keys: string[], fv: FieldValue | undefined): void {
  if (fv === undefined || fv.type !== 'A') return;
  for (const item of fv.value) {
    if (item.type === 'S') keys.push(item.value);
    else if (item.type === 'x') keys.push(item.value.toString('utf8'));
  }
}

/** The routing keys a dead-lettered message was published with: its key plus CC. */
export function originalRoutingKeys(message: Message): string[] {
  return headerRoutingKeys(message) ?? [message.routingKey];
}
