import { MessagingError } from './messaging.error';

/**
 * The broker URL configuration is missing or malformed. Names the variable or
 * option and what was tried, with passwords masked.
 *
 * @publicApi
 */
export class MessagingConfigurationError extends MessagingError {
  readonly retryable = false;
}

/**
 * No broker URL accepted a connection at start (fail-fast mode). Names every
 * URL tried (password masked) and the last error of each.
 *
 * @publicApi
 */
export class BrokerUnreachableError extends MessagingError {
  readonly retryable = true;
  constructor(
    readonly attempts: readonly { url: string; error: string }[],
    options?: { cause?: unknown },
  ) {
    super(
      `no broker reachable; tried ${attempts.map((a) => `${a.url} (${a.error})`).join(', ')}`,
      options,
    );
  }
}
