/**
 * Plain counters for what goes wrong or is worth watching. Read by the health
 * indicator and by tests; an application can export them to Prometheus.
 *
 * @publicApi
 */
export class MessagingMetrics {
  connects = 0;
  disconnects = 0;
  /** Times the broker sent connection.blocked. */
  blocked = 0;
  /**
   * Times a consumer re-attached while the connection stayed up: its channel had
   * closed (a channel error) or the broker had cancelled it (its queue deleted).
   */
  consumerReattaches = 0;
  published = 0;
  returned = 0;
  nacked = 0;
  consumed = 0;
  acked = 0;
  retried = 0;
  deadLettered = 0;
}
