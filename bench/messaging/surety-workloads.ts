import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule, Publisher, Subscribe } from '../../libs/messaging/src';

/** Surety: many concurrent publish() calls, each resolving on its own confirm; `window` outstanding. */
export async function suretyPublish(
  url: string,
  queue: string,
  count: number,
  payload: object,
  window: number,
) {
  @Module({
    imports: [
      MessagingModule.forRoot({
        urls: url,
        delay: false,
        publishing: { window },
        topology: { queues: [{ name: queue }] },
      }),
    ],
  })
  class PublishModule {}
  const app = await NestFactory.createApplicationContext(PublishModule, { logger: ['error'] });
  const publisher = app.get(Publisher);
  const start = process.hrtime.bigint();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await publisher.publish('', queue, payload);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await app.close();
  return count / seconds;
}

/** Surety: a @Subscribe consumer (ack after the async handler) draining a pre-filled queue. */
export async function suretyConsume(url: string, queue: string, count: number, prefetch: number) {
  let received = 0;
  let start = 0n;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));

  @Injectable()
  class Sink {
    @Subscribe({ queue, prefetch, retry: false, deadLetter: false })
    async handle() {
      if (received === 0) start = process.hrtime.bigint();
      if (++received === count) done();
    }
  }
  @Module({ imports: [MessagingModule.forRoot({ urls: url, delay: false })], providers: [Sink] })
  class ConsumeModule {}

  const app = await NestFactory.createApplicationContext(ConsumeModule, { logger: ['error'] });
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await app.close();
  return (count - 1) / seconds;
}
