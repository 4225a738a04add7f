import type {
  Channel,
  ChannelModel,
  ConfirmChannel,
  ConsumeMessage,
  GetMessage,
  Options,
} from 'amqplib';

/** A reply code and text from a server-side connection.close or channel.close, as amqplib reports it. */
export interface ServerClose {
  readonly code: number;
  readonly text: string;
  /** Offending method (channel errors only: amqplib drops them for connection errors). */
  readonly classId?: number;
  readonly methodId?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Reads amqplib's close error ("... 404 (NOT-FOUND) with message "NOT_FOUND - ..."")
 * back into the code and the server's exact reply text.
 */
export function serverClose(error: unknown): ServerClose {
  if (!(error instanceof Error)) throw new Error(`not an AMQP close error: ${String(error)}`);
  const details = error as Error & { code?: unknown; classId?: number; methodId?: number };
  const match = /with message "(.*)"$/s.exec(error.message);
  if (typeof details.code !== 'number' || !match) {
    throw new Error(`not an AMQP close error: ${error.message}`);
  }
  const result: ServerClose = { code: details.code, text: match[1] };
  return details.classId === undefined
    ? result
    : { ...result, classId: details.classId, methodId: details.methodId };
}

/** Rejects with a clear message if `promise` does not settle in time, so a broken broker cannot hang a test. */
export function within<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the server close that ends `channel` (or rejects if it closes cleanly). */
export function channelClosed(
  channel: Channel,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ServerClose> {
  const closed = new Promise<ServerClose>((resolve, reject) => {
    let error: unknown;
    channel.once('error', (e: unknown) => (error = e));
    channel.once('close', () => {
      if (error === undefined) reject(new Error('channel closed without a server error'));
      else resolve(serverClose(error));
    });
  });
  return within(closed, 'the channel to be closed by the server', timeoutMs);
}

/** Resolves with the server close that ends `connection`; a socket drop without close rejects. */
export function connectionClosed(
  connection: ChannelModel,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ServerClose> {
  const closed = new Promise<ServerClose>((resolve, reject) => {
    connection.once('close', (error?: Error) => {
      try {
        if (!error) throw new Error('connection closed without a server error');
        resolve(serverClose(error));
      } catch (e) {
        reject(e);
      }
    });
  });
  return within(closed, 'the connection to be closed by the server', timeoutMs);
}

/**
 * Runs an RPC that must fail with a channel error and returns that error. amqplib
 * both rejects the RPC and emits 'error' on the channel; both are consumed here.
 */
export async function channelError(
  channel: Channel,
  action: () => Promise<unknown>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ServerClose> {
  const closed = channelClosed(channel, timeoutMs);
  closed.catch(() => undefined); // observed below; never an unhandled rejection if the action succeeds
  const outcome = await within(
    action().then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    'the failing operation',
    timeoutMs,
  );
  if (outcome.ok) throw new Error('operation succeeded but a channel error was expected');
  await closed;
  return serverClose(outcome.error);
}

/** Whether a queue exists, asked on a throwaway channel (a 404 closes only that channel). */
export async function queueExists(connection: ChannelModel, queue: string): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.checkQueue(queue);
  } catch (error) {
    if (serverClose(error).code === 404) return false;
    throw error;
  }
  await channel.close();
  return true;
}

/** Waits for the next message on an already-consuming queue: one-shot consumer with timeout. */
export async function consumeOne(
  channel: Channel,
  queue: string,
  options: Options.Consume = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ConsumeMessage> {
  const [message] = await consumeN(channel, queue, 1, options, timeoutMs);
  return message;
}

/** Consumes exactly `count` messages (then cancels), failing if they do not arrive in time. */
export async function consumeN(
  channel: Channel,
  queue: string,
  count: number,
  options: Options.Consume = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ConsumeMessage[]> {
  const received: ConsumeMessage[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const { consumerTag } = await channel.consume(
    queue,
    (message) => {
      if (message === null) return;
      received.push(message);
      if (received.length === count) done();
    },
    options,
  );
  try {
    await within(all, `${count} message(s) from '${queue}' (got ${received.length})`, timeoutMs);
  } finally {
    await channel.cancel(consumerTag).catch(() => undefined);
  }
  return received.slice(0, count);
}

/** basic.get in a loop until get-empty: every ready message, in order. */
export async function getAll(
  channel: Channel,
  queue: string,
  options: Options.Get = { noAck: true },
): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, options);
    if (message === false) return messages;
    messages.push(message);
  }
}

/** Polls basic.get until a message arrives (e.g. after a TTL or dead-letter hop). */
export async function getEventually(
  channel: Channel,
  queue: string,
  options: Options.Get = { noAck: true },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<GetMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await channel.get(queue, options);
    if (message !== false) return message;
    if (Date.now() > deadline)
      throw new Error(`no message arrived in '${queue}' within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Publishes on a confirm channel and resolves on ack, rejects on nack. */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer | string,
  options: Options.Publish = {},
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const confirmed = new Promise<void>((resolve, reject) => {
    channel.publish(exchange, routingKey, body, options, (error: unknown) =>
      error ? reject(error instanceof Error ? error : new Error('message nacked')) : resolve(),
    );
  });
  return within(confirmed, `the confirm of a publish to '${exchange}'/'${routingKey}'`, timeoutMs);
}

/** The x-death array of a dead-lettered message (empty when absent), newest entry first. */
export function xDeath(message: {
  properties: { headers?: Record<string, unknown> };
}): Record<string, unknown>[] {
  return (message.properties.headers?.['x-death'] as Record<string, unknown>[] | undefined) ?? [];
}

/** Message bodies as strings, for compact order assertions. */
export function bodies(messages: { content: Buffer }[]): string[] {
  return messages.map((m) => m.content.toString());
}

/** Lets in-flight frames land (the server acts asynchronously on publishes and acks). */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
