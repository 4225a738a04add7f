import { type Conformance, conformance } from './support/harness';
import {
  Method,
  basicAck,
  basicGet,
  basicReject,
  channelClose,
  publishFrames,
  queueDeclare,
  txCommit,
  txRollback,
  txSelect,
} from './support/methods';
import type { RawConnection } from './support/raw-client';

/** Ready-message count of `queue`, asked on channel 9 of the same raw connection. */
async function ready(raw: RawConnection, queue: string): Promise<number> {
  const ok = await raw.call(queueDeclare(9, queue, { passive: true }), 9, Method.queueDeclareOk);
  ok.shortstr();
  return ok.long();
}

/** A raw connection with channel 1 transactional and channel 9 for inspection. */
async function txSession(c: Conformance): Promise<{ raw: RawConnection; queue: string }> {
  const raw = await c.raw();
  const queue = await c.queue();
  await raw.openChannel(1);
  await raw.openChannel(9);
  await raw.call(txSelect(1), 1, Method.txSelectOk);
  return { raw, queue };
}

/** basic.get on channel 1 (manual ack) and skip the content frames; returns the delivery tag. */
async function getOne(raw: RawConnection, queue: string): Promise<bigint> {
  raw.write(basicGet(1, queue, false));
  const ok = await raw.expectMethod(1, Method.basicGetOk);
  await raw.readFrame();
  await raw.readFrame();
  return ok.longlong();
}

// amqp-semantics.md §24: transactions (raw frames: amqplib has no tx API).
conformance('transactions', (c) => {
  it('holds publishes until tx.commit', async () => {
    const { raw, queue } = await txSession(c);
    raw.write(publishFrames(1, '', queue, 'a'));
    raw.write(publishFrames(1, '', queue, 'b'));
    expect(await ready(raw, queue)).toBe(0);
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    expect(await ready(raw, queue)).toBe(2);
  });

  it('discards publishes on tx.rollback', async () => {
    const { raw, queue } = await txSession(c);
    raw.write(publishFrames(1, '', queue, 'a'));
    await raw.call(txRollback(1), 1, Method.txRollbackOk);
    await raw.call(txCommit(1), 1, Method.txCommitOk); // the channel stays transactional
    expect(await ready(raw, queue)).toBe(0);
  });

  it('holds acks until commit: a rolled-back ack leaves the message unacked', async () => {
    const { raw, queue } = await txSession(c);
    raw.write(publishFrames(1, '', queue, 'a'));
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    const tag = await getOne(raw, queue);
    raw.write(basicAck(1, Number(tag)));
    await raw.call(txRollback(1), 1, Method.txRollbackOk);
    // Still unacked on channel 1: closing it requeues the message.
    raw.write(channelClose(1));
    await raw.expectMethod(1, Method.channelCloseOk);
    expect(await ready(raw, queue)).toBe(1);
  });

  it('applies a committed ack', async () => {
    const { raw, queue } = await txSession(c);
    raw.write(publishFrames(1, '', queue, 'a'));
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    const tag = await getOne(raw, queue);
    raw.write(basicAck(1, Number(tag)));
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    raw.write(channelClose(1));
    await raw.expectMethod(1, Method.channelCloseOk);
    expect(await ready(raw, queue)).toBe(0);
  });

  it('holds a requeueing reject until commit', async () => {
    const { raw, queue } = await txSession(c);
    raw.write(publishFrames(1, '', queue, 'a'));
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    const tag = await getOne(raw, queue);
    raw.write(basicReject(1, Number(tag), true));
    expect(await ready(raw, queue)).toBe(0);
    await raw.call(txCommit(1), 1, Method.txCommitOk);
    expect(await ready(raw, queue)).toBe(1);
  });

  it('sends basic.return for an unroutable mandatory publish before commit-ok', async () => {
    const { raw } = await txSession(c);
    raw.write(publishFrames(1, '', c.queueName(), 'nowhere', { mandatory: true }));
    raw.write(txCommit(1));
    const returned = await raw.expectMethod(1, Method.basicReturn);
    expect([returned.short(), returned.shortstr()]).toEqual([312, 'NO_ROUTE']);
    await raw.readFrame();
    await raw.readFrame();
    await raw.expectMethod(1, Method.txCommitOk);
  });

  it.each([
    ['tx.commit', txCommit, 20],
    ['tx.rollback', txRollback, 30],
  ])('refuses %s on a channel that is not transactional (406)', async (_name, frame, methodId) => {
    const raw = await c.raw();
    await raw.openChannel(1);
    raw.write(frame(1));
    expect(await raw.expectChannelClose(1)).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - channel is not transactional',
      classId: 90,
      methodId,
    });
  });
});
