import { TraceContext } from './trace-context';

describe('TraceContext', () => {
  it('holds a traceparent and correlation id for the async scope only', async () => {
    const root = TraceContext.newRoot();
    expect(root).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await TraceContext.run(
      root,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(TraceContext.current()).toBe(root);
        expect(TraceContext.correlationId()).toBe('c-1');
      },
      'c-1',
    );
    expect(TraceContext.current()).toBeUndefined();
  });

  it('continues a parent with the same trace id and a new span; starts fresh on garbage', () => {
    const parent = TraceContext.newRoot();
    const child = TraceContext.child(parent);
    expect(TraceContext.traceId(child)).toBe(TraceContext.traceId(parent));
    expect(child).not.toBe(parent);
    expect(TraceContext.traceId(TraceContext.child('nonsense'))).toMatch(/^[0-9a-f]{32}$/);
  });
});
