import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { MessagingMetrics } from '../connection/messaging-metrics';
import type { RpcHandlerOptions } from '../interfaces/rpc-options.interface';
import { Headers } from '../messaging.constants';
import type { Publisher } from '../publishing/publisher';
import { buildMessage } from '../publishing/message-builder';
import { TraceContext } from '../tracing/trace-context';
import type { BoundHandler } from '../consuming/handler-wrapper';
import { messageContext } from '../consuming/message-context';
import { decodePayload } from '../consuming/payload-decoder';
import type { RpcReply } from './rpc-reply';

/**
 * Serves one @RpcHandler queue: decode, validate, run the handler, send its
 * result (or its error's name and message) to the request's reply-to, then
 * ack. RPC requests are not retried: the caller is waiting and decides.
 */
export class RpcProcessor {
  private readonly logger: Logger;

  constructor(
    private readonly queue: string,
    private readonly handlerName: string,
    private readonly options: RpcHandlerOptions,
    private readonly handler: BoundHandler,
    private readonly publisher: Publisher,
    private readonly metrics: MessagingMetrics,
  ) {
    this.logger = new Logger(`Surety.Rpc(${queue})`);
  }

  readonly process = async (message: ConsumeMessage, channel: Channel): Promise<void> => {
    this.metrics.consumed++;
    const ctx = messageContext(message, this.queue);
    let reply: RpcReply;
    try {
      let payload = decodePayload(message);
      if (this.options.schema) {
        const parsed = this.options.schema.safeParse(payload);
        if (!parsed.success) {
          throw Object.assign(
            new Error(
              `request does not match the schema of ${this.handlerName}: ${parsed.error.message}`,
            ),
            {
              name: 'InvalidRequestError',
            },
          );
        }
        payload = parsed.data;
      }
      const result = await TraceContext.enter(ctx.traceparent, ctx.correlationId, () =>
        this.handler(payload, ctx),
      );
      reply = { ok: true, result: result === undefined ? null : result };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { ok: false, error: { name: e.name, message: e.message } };
      this.logger.warn(`${this.handlerName} failed for ${ctx.messageId}: ${e.name}: ${e.message}`);
    }
    const replyTo = message.properties.replyTo as string | undefined;
    if (replyTo) {
      const built = buildMessage('', replyTo, reply, {
        correlationId: ctx.correlationId,
        persistent: false,
        // A requester that went away is not an error worth a return.
        mandatory: false,
        headers: { [Headers.rpcStatus]: reply.ok ? 'ok' : 'error' },
      });
      const result = await this.publisher.send(built);
      if (result.status !== 'confirmed') {
        this.logger.warn(`reply to ${ctx.messageId} not confirmed: ${result.error?.message}`);
      }
    } else {
      this.logger.warn(
        `request ${ctx.messageId} on '${this.queue}' has no reply-to; result dropped`,
      );
    }
    try {
      channel.ack(message);
      this.metrics.acked++;
    } catch {
      // Channel gone: the request is redelivered and answered again.
    }
  };
}
