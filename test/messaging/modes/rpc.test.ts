import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  RpcHandler,
  RpcRemoteError,
  RpcTimeoutError,
  UnroutableMessageError,
  type MessageContext,
} from '@surety/messaging';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { RawAmqp } from '../support/raw-amqp';
import { TestApps } from '../support/test-apps';

// Mode 6, "RPC": request/reply over direct reply-to; the caller gets the
// handler's result, or a typed error for a remote failure or a timeout.
describeEachBroker('working mode: RPC (direct reply-to)', (broker) => {
  const apps = new TestApps(() => broker().url);
  let silentQueue = '';
  afterEach(() => apps.closeAll([silentQueue]));

  it('answers requests, reports remote errors and timeouts as typed errors', async () => {
    const queue = uniqueName('rpc.quote');
    silentQueue = uniqueName('rpc.silent');
    const seenCorrelation: string[] = [];

    @Injectable()
    class QuoteService {
      @RpcHandler({ queue, schema: z.object({ sum: z.number().positive() }) })
      async quote(request: { sum: number }, ctx: MessageContext) {
        seenCorrelation.push(ctx.correlationId);
        if (request.sum > 1_000_000) throw new RangeError(`sum ${request.sum} exceeds the limit`);
        return { premium: request.sum * 0.01 };
      }
    }

    await apps.start([QuoteService]);
    const client = await apps.start();

    await expect(client.rpc.request('', queue, { sum: 5000 })).resolves.toEqual({ premium: 50 });
    const many = await Promise.all(
      [1, 2, 3].map((sum) => client.rpc.request('', queue, { sum: sum * 100 })),
    );
    expect(many).toEqual([{ premium: 1 }, { premium: 2 }, { premium: 3 }]);

    const remote = (await client.rpc
      .request('', queue, { sum: 2_000_000 })
      .catch((e) => e)) as RpcRemoteError;
    expect(remote).toBeInstanceOf(RpcRemoteError);
    expect(remote.remoteName).toBe('RangeError');
    expect(remote.remoteMessage).toBe('sum 2000000 exceeds the limit');

    const invalid = (await client.rpc
      .request('', queue, { sum: -1 })
      .catch((e) => e)) as RpcRemoteError;
    expect(invalid).toBeInstanceOf(RpcRemoteError);
    expect(invalid.remoteName).toBe('InvalidRequestError');

    // A queue nobody serves: the request is routed and stored, but no reply comes.
    const raw = await RawAmqp.open(broker().url);
    await raw.run((c) => c.assertQueue(silentQueue, { durable: false }));
    await raw.close();
    const timeout = (await client.rpc
      .request('', silentQueue, {}, { timeout: 300 })
      .catch((e) => e)) as RpcTimeoutError;
    expect(timeout).toBeInstanceOf(RpcTimeoutError);
    expect(timeout.retryable).toBe(true);

    const unroutable = await client.rpc.request('', uniqueName('rpc.nobody'), {}).catch((e) => e);
    expect(unroutable).toBeInstanceOf(UnroutableMessageError);
    expect(seenCorrelation.length).toBeGreaterThanOrEqual(4);
  });
});
