import { Injectable } from '@nestjs/common';
import { Subscribe } from '@surety/messaging';
import { eventually } from '../../support/eventually';
import { uniqueName } from '../../support/names';
import { describeEachBroker } from '../support/broker-matrix';
import { TestApps } from '../support/test-apps';

// Mode 2, "work queues": competing consumers on one queue; prefetch 1 gives
// fair dispatch, so a slow worker does not get its share of a backlog queued up.
describeEachBroker('working mode: work queues', (broker) => {
  const apps = new TestApps(() => broker().url);
  afterEach(() => apps.closeAll());

  it('splits tasks between competing workers, the fast one taking more (prefetch 1)', async () => {
    const queue = uniqueName('work.tasks');
    const doneBy: Record<string, number[]> = { fast: [], slow: [] };

    function worker(name: 'fast' | 'slow', workMs: number) {
      @Injectable()
      class Worker {
        @Subscribe({ queue, prefetch: 1 })
        async onTask(task: { n: number }) {
          await new Promise((resolve) => setTimeout(resolve, workMs));
          doneBy[name].push(task.n);
        }
      }
      return Worker;
    }

    const fast = await apps.start([worker('fast', 5)]);
    await apps.start([worker('slow', 250)]);
    const tasks = Array.from({ length: 30 }, (_, n) => n);
    await Promise.all(tasks.map((n) => fast.publisher.publish('', queue, { n })));

    await eventually(() => expect(doneBy.fast.length + doneBy.slow.length).toBe(30), {
      timeoutMs: 20_000,
    });
    expect([...doneBy.fast, ...doneBy.slow].sort((a, b) => a - b)).toEqual(tasks);
    expect(doneBy.slow.length).toBeGreaterThanOrEqual(1);
    expect(doneBy.fast.length).toBeGreaterThan(doneBy.slow.length * 2);
  });
});
