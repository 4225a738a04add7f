import { ConfirmTracker } from './confirm-tracker';

function tracker() {
  const sent: string[] = [];
  const t = new ConfirmTracker({
    ack: (tag, multiple) => sent.push(`ack ${tag}${multiple ? ' multiple' : ''}`),
    nack: (tag, multiple) => sent.push(`nack ${tag}${multiple ? ' multiple' : ''}`),
  });
  return { t, sent };
}

describe('ConfirmTracker', () => {
  it('coalesces immediately confirmable publishes into one multiple ack', () => {
    const { t, sent } = tracker();
    for (let i = 0; i < 3; i++) t.record(t.take(), 0, false, 0);
    t.flushAcks();
    expect(sent).toEqual(['ack 3 multiple']);
  });

  it('holds later publishes behind one waiting for a sync, then acks the batch', () => {
    const { t, sent } = tracker();
    t.record(t.take(), 0, false, 0); // 1: transient
    t.record(t.take(), 1, false, 0); // 2: waits for ticket 1
    t.record(t.take(), 0, false, 0); // 3: transient, but behind 2
    t.flushAcks();
    expect(sent).toEqual(['ack 1']);
    expect(t.waiting).toBe(true);
    t.release(1);
    t.flushAcks();
    expect(sent).toEqual(['ack 1', 'ack 3 multiple']);
    expect(t.waiting).toBe(false);
  });

  it('sends a nack for a refused publish between acks, in order', () => {
    const { t, sent } = tracker();
    t.record(t.take(), 0, false, 0);
    t.record(t.take(), 0, true, 0);
    t.record(t.take(), 0, false, 0);
    t.flushAcks();
    expect(sent).toEqual(['ack 1', 'nack 2', 'ack 3']);
  });

  it('nacks the whole waiting batch when its sync failed', () => {
    const { t, sent } = tracker();
    t.record(t.take(), 2, false, 0);
    t.record(t.take(), 2, false, 0);
    t.release(2, true);
    t.flushAcks();
    expect(sent).toEqual(['nack 2 multiple']);
  });
});
