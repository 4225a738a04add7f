import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule, Publisher, Subscribe } from '../../libs/messaging/src';
import { payload, PREFETCH, WINDOW } from './config';
import { settleHeap, Stopwatch, type Measurement } from './measure';

/**
 * Surety: WINDOW concurrent lanes each awaiting publish() (which resolves on its
 * own confirm), the way an application publishes many messages at once.
 */
export async function suretyPublish(
  url: string,
  queue: string,
  warmup: number,
  count: number,
): Promise<Measurement> {
  @Module({
    imports: [
      MessagingModule.forRoot({
        urls: url,
        delay: false,
        publishing: { window: WINDOW },
        topology: { queues: [{ name: queue }] },
      }),
    ],
  })
  class PublishModule {}
  const app = await NestFactory.createApplicationContext(PublishModule, { logger: ['error'] });
  const publisher = app.get(Publisher);
  const run = async (total: number) => {
    let next = 0;
    const lane = async () => {
      while (next < total) {
        next++;
        await publisher.publish('', queue, payload);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WINDOW, total) }, lane));
  };
  await run(warmup);
  settleHeap();
  const watch = new Stopwatch();
  watch.start();
  await run(count);
  const result = watch.stop(count);
  await app.close();
  return result;
}

/** Surety: a @Subscribe consumer (ack after the async handler) draining a pre-filled queue. */
export async function suretyConsume(
  url: string,
  queue: string,
  warmup: number,
  count: number,
): Promise<Measurement> {
  const watch = new Stopwatch();
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  if (warmup === 0) watch.start();

  @Injectable()
  class Sink {
    @Subscribe({ queue, prefetch: PREFETCH, retry: false, deadLetter: false })
    async handle() {
      if (++received === warmup) watch.start();
      if (received === warmup + count) done();
    }
  }
  @Module({ imports: [MessagingModule.forRoot({ urls: url, delay: false })], providers: [Sink] })
  class ConsumeModule {}

  const app = await NestFactory.createApplicationContext(ConsumeModule, { logger: ['error'] });
  await finished;
  const result = watch.stop(count);
  await app.close();
  return result;
}
