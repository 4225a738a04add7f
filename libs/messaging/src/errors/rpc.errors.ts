import { MessagingError } from './messaging.error';

/**
 * No reply arrived within the request's timeout. The handler may still run.
 *
 * @publicApi
 */
export class RpcTimeoutError extends MessagingError {
  readonly retryable = true;
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly timeoutMs: number,
  ) {
    super(
      `RPC to exchange '${exchange}' routing key '${routingKey}' got no reply within ${timeoutMs} ms`,
    );
  }
}

/**
 * The remote handler threw; carries its error name and message.
 *
 * @publicApi
 */
export class RpcRemoteError extends MessagingError {
  readonly retryable = false;
  constructor(
    readonly remoteName: string,
    readonly remoteMessage: string,
    readonly routingKey: string,
  ) {
    super(`RPC handler for '${routingKey}' failed: ${remoteName}: ${remoteMessage}`);
  }
}
