import { Headers } from '../messaging.constants';
import type { BindingDeclaration, Topology } from '../interfaces/topology.interface';
import {
  deliverExchangeName,
  levelHeader,
  levelName,
  levelTtlMs,
  type ResolvedDelayLevels,
} from './delay-levels';

/**
 * The fixed delay infrastructure: per level k a headers exchange and a queue
 * (TTL 2^k units) that dead-letters into level k-1's exchange (level 0: into
 * the deliver exchange). Level k's exchange sends a message into its queue when
 * the message's bit k is '1', else on to level k-1. Routing keys are never
 * rewritten (headers exchanges ignore them), so the final hop publishes to the
 * target with the original routing key.
 */
export function delayTopology(levels: ResolvedDelayLevels): Topology {
  const deliver = deliverExchangeName(levels);
  const exchanges = [{ name: deliver, type: 'headers' as const }];
  const queues = [];
  const bindings: BindingDeclaration[] = [];
  for (let k = 0; k < levels.levels; k++) {
    const name = levelName(levels, k);
    const next = k === 0 ? deliver : levelName(levels, k - 1);
    exchanges.push({ name, type: 'headers' as const });
    queues.push({
      name,
      options: { durable: true, messageTtl: levelTtlMs(levels, k), deadLetterExchange: next },
    });
    bindings.push(
      {
        queue: name,
        source: name,
        pattern: '',
        arguments: { 'x-match': 'all', [levelHeader(k)]: '1' },
      },
      {
        exchange: next,
        source: name,
        pattern: '',
        arguments: { 'x-match': 'all', [levelHeader(k)]: '0' },
      },
    );
  }
  return { exchanges, queues, bindings };
}

/** Where a delayed message ends up: an exchange (with its routing key) or one queue (retries). */
export type DelayTarget = { readonly exchange: string } | { readonly queue: string };

/** The binding from the deliver exchange to one target; declared on first use, then on every reconnect. */
export function deliverBinding(
  levels: ResolvedDelayLevels,
  target: DelayTarget,
): BindingDeclaration {
  const source = deliverExchangeName(levels);
  if ('queue' in target) {
    return {
      queue: target.queue,
      source,
      pattern: '',
      arguments: { 'x-match': 'all', [Headers.delayTargetQueue]: target.queue },
    };
  }
  return {
    exchange: target.exchange,
    source,
    pattern: '',
    arguments: { 'x-match': 'all', [Headers.delayTargetExchange]: target.exchange },
  };
}
