import type { HealthIndicatorService } from '@nestjs/terminus';
import type { ConnectionManager } from '../connection/connection-manager';

/**
 * For @nestjs/terminus: up while connected (blocked counts as up, with
 * `blocked: true`), down with the URLs tried and their errors otherwise.
 *
 * @publicApi
 */
export class MessagingHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly connections: ConnectionManager,
  ) {}

  isHealthy<const Key extends string = 'messaging'>(key: Key = 'messaging' as Key) {
    const indicator = this.health.check(key);
    const metrics = this.connections.metrics;
    if (this.connections.connected) {
      return indicator.up({
        blocked: this.connections.blocked,
        reconnects: Math.max(0, metrics.connects - 1),
        blockedCount: metrics.blocked,
      });
    }
    return indicator.down({
      message: 'not connected to the broker',
      tried: this.connections.lastConnectErrors.map((e) => `${e.url}: ${e.error}`),
    });
  }
}
