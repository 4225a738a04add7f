import type { ConsumerMiddlewareContext } from '../interfaces/consumer-middleware.interface';
import { composePipeline } from './consumer-pipeline';

const ctx = { payload: {} } as ConsumerMiddlewareContext;

describe('composePipeline', () => {
  it('runs middleware in list order around the handler', async () => {
    const trail: string[] = [];
    const run = composePipeline(
      [
        async (_, next) => {
          trail.push('a>');
          await next();
          trail.push('a<');
        },
        async (_, next) => {
          trail.push('b>');
          await next();
          trail.push('b<');
        },
      ],
      async () => {
        trail.push('handler');
      },
    );
    await run(ctx);
    expect(trail).toEqual(['a>', 'b>', 'handler', 'b<', 'a<']);
  });

  it('lets a stage finish the message without the handler, and propagates errors', async () => {
    const handler = jest.fn(async () => undefined);
    await composePipeline([async () => undefined], handler)(ctx);
    expect(handler).not.toHaveBeenCalled();
    await expect(
      composePipeline([async (_, next) => next()], async () => {
        throw new Error('boom');
      })(ctx),
    ).rejects.toThrow('boom');
  });

  it('refuses a second next() call', async () => {
    const run = composePipeline(
      [
        async (_, next) => {
          await next();
          await next();
        },
      ],
      async () => undefined,
    );
    await expect(run(ctx)).rejects.toThrow('called next() twice');
  });
});
