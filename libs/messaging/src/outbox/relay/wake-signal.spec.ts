import { WakeSignal } from './wake-signal';

describe('WakeSignal', () => {
  it('keeps a wake that arrived while nobody waited', async () => {
    const signal = new WakeSignal();
    signal.wake();
    const started = Date.now();
    await signal.wait(10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('forgets wakes consumed before a claim', async () => {
    const signal = new WakeSignal();
    signal.wake();
    signal.consume();
    let woken = false;
    const waiting = signal.wait(30).then(() => (woken = true));
    expect(woken).toBe(false);
    await waiting;
    expect(woken).toBe(true); // by the timeout
  });

  it('wakes a waiter', async () => {
    const signal = new WakeSignal();
    const waiting = signal.wait(60_000);
    signal.wake();
    await expect(waiting).resolves.toBeUndefined();
  });
});
