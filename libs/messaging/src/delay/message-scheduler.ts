import type { PublishOptions } from '../interfaces/publish-options.interface';
import type { Publisher } from '../publishing/publisher';

/** When a scheduled message is due: after `delay` ms, or at a point in time. @publicApi */
export type ScheduleAt = { readonly delay: number } | { readonly at: Date };

/**
 * Schedules messages through the delay levels (TTL + dead-letter exchanges
 * only, no broker plugin). Resolves when the broker confirmed the delayed copy,
 * so a scheduled message survives a crash of this process from then on.
 *
 * @publicApi
 */
export class MessageScheduler {
  constructor(private readonly publisher: Publisher) {}

  schedule(
    exchange: string,
    routingKey: string,
    payload: unknown,
    when: ScheduleAt,
    options: Omit<PublishOptions, 'delay'> = {},
  ): Promise<string> {
    const delay = 'delay' in when ? when.delay : Math.max(0, when.at.getTime() - Date.now());
    return this.publisher.publish(exchange, routingKey, payload, { ...options, delay });
  }
}
