import { BROKER_DEATH_HEADERS, Headers } from '../messaging.constants';
import type { ConnectionManager } from '../connection/connection-manager';
import type { TopologyRegistry } from '../topology/topology-registry';
import {
  delayBits,
  delayUnits,
  levelHeader,
  levelName,
  type ResolvedDelayLevels,
} from './delay-levels';
import { deliverBinding, type DelayTarget } from './delay-topology';

/** Where to publish a delayed message instead of its target, and with which headers. */
export interface DelayedRoute {
  readonly exchange: string;
  readonly routingKey: string;
  readonly headers: Record<string, unknown>;
}

/**
 * Turns (target, delay) into a publish to the highest level the delay needs,
 * with one routing header per level. Makes sure the deliver exchange has a
 * binding to the target before the first message heads there.
 */
export class DelayRouter {
  private readonly knownTargets = new Set<string>();

  constructor(
    readonly levels: ResolvedDelayLevels,
    private readonly topology: TopologyRegistry,
    private readonly connections: ConnectionManager,
  ) {}

  /**
   * `undefined` when the delay rounds to zero units (publish directly).
   * The default exchange cannot be bound, so '' + routing key means "the queue
   * named by the routing key".
   */
  async route(
    exchange: string,
    routingKey: string,
    delayMs: number,
    headers: Record<string, unknown>,
    connectionWaitMs: number,
  ): Promise<DelayedRoute | undefined> {
    const units = delayUnits(delayMs, this.levels);
    if (units === 0) return undefined;
    const target: DelayTarget = exchange === '' ? { queue: routingKey } : { exchange };
    await this.ensureTarget(target, connectionWaitMs);
    const bits = delayBits(units);
    const routed: Record<string, unknown> = { ...headers };
    for (const name of BROKER_DEATH_HEADERS) delete routed[name];
    // A leftover target header from an earlier hop would make it match two bindings.
    delete routed[Headers.delayTargetQueue];
    delete routed[Headers.delayTargetExchange];
    if ('queue' in target) routed[Headers.delayTargetQueue] = target.queue;
    else routed[Headers.delayTargetExchange] = target.exchange;
    routed[Headers.delayMs] = delayMs;
    routed[Headers.delayDueAt] = new Date(Date.now() + delayMs).toISOString();
    bits.forEach((set, k) => (routed[levelHeader(k)] = set ? '1' : '0'));
    return { exchange: levelName(this.levels, bits.length - 1), routingKey, headers: routed };
  }

  private async ensureTarget(target: DelayTarget, connectionWaitMs: number): Promise<void> {
    const key = 'queue' in target ? `q:${target.queue}` : `e:${target.exchange}`;
    if (this.knownTargets.has(key)) return;
    const connection = await this.connections.waitForConnection(connectionWaitMs);
    await this.topology.ensure(connection, { bindings: [deliverBinding(this.levels, target)] });
    this.knownTargets.add(key);
  }
}
