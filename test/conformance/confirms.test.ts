import { getAll, publishConfirmed } from '../support/amqp';
import { conformance } from './support/harness';
import { Method, confirmSelect, publishFrames, queueDeclare, txSelect } from './support/methods';
import type { RawConnection } from './support/raw-client';

/** Reads basic.ack frames until `last` is covered; returns each as [tag, multiple]. */
async function acksUpTo(
  raw: RawConnection,
  channel: number,
  last: bigint,
): Promise<[bigint, boolean][]> {
  const acks: [bigint, boolean][] = [];
  let covered = 0n;
  while (covered < last) {
    const ack = await raw.expectMethod(channel, Method.basicAck);
    const tag = ack.longlong();
    acks.push([tag, ack.bit()]);
    covered = tag;
  }
  return acks;
}

/** Which publish sequence numbers a list of acks confirms (multiple=true covers all up to its tag). */
function confirmedTags(acks: [bigint, boolean][]): bigint[] {
  const tags: bigint[] = [];
  let previous = 0n;
  for (const [tag, multiple] of acks) {
    if (multiple) for (let t = previous + 1n; t <= tag; t++) tags.push(t);
    else tags.push(tag);
    previous = tag;
  }
  return tags;
}

// amqp-semantics.md §12: publisher confirms.
conformance('publisher confirms', (c) => {
  it('numbers publishes from 1 per channel and confirms each exactly once', async () => {
    const raw = await c.raw();
    const queue = c.queueName();
    for (const channel of [1, 2]) {
      await raw.openChannel(channel);
      await raw.call(confirmSelect(channel), channel, Method.confirmSelectOk);
    }
    await raw.call(queueDeclare(1, queue, { exclusive: true }), 1, Method.queueDeclareOk);
    for (let i = 0; i < 5; i++) raw.write(publishFrames(1, '', queue, `m${i}`));
    expect(confirmedTags(await acksUpTo(raw, 1, 5n))).toEqual([1n, 2n, 3n, 4n, 5n]);
    // A second channel starts its own sequence at 1.
    raw.write(publishFrames(2, '', queue, 'other'));
    expect(confirmedTags(await acksUpTo(raw, 2, 1n))).toEqual([1n]);
  });

  it('confirms many pipelined publishes (waitForConfirms) and they all arrive', async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue();
    for (let i = 0; i < 50; i++) channel.sendToQueue(queue, Buffer.from(String(i)));
    await channel.waitForConfirms();
    expect((await getAll(channel, queue)).map((m) => m.content.toString())).toEqual(
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
  });

  it('nacks a publish refused by x-overflow reject-publish, and acks the others', async () => {
    const channel = await c.confirmChannel();
    const queue = await c.queue({
      arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
    });
    await expect(publishConfirmed(channel, '', queue, 'fits')).resolves.toBeUndefined();
    await expect(publishConfirmed(channel, '', queue, 'refused')).rejects.toThrow();
    expect((await getAll(channel, queue)).map((m) => m.content.toString())).toEqual(['fits']);
  });

  it('refuses tx.select on a confirm channel (406)', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    await raw.call(confirmSelect(1), 1, Method.confirmSelectOk);
    raw.write(txSelect(1));
    expect(await raw.expectChannelClose(1)).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - cannot switch from confirm to tx mode',
      classId: 90,
      methodId: 10,
    });
  });

  it('refuses confirm.select on a transactional channel (406)', async () => {
    const raw = await c.raw();
    await raw.openChannel(1);
    await raw.call(txSelect(1), 1, Method.txSelectOk);
    raw.write(confirmSelect(1));
    expect(await raw.expectChannelClose(1)).toEqual({
      code: 406,
      text: 'PRECONDITION_FAILED - cannot switch from tx to confirm mode',
      classId: 85,
      methodId: 10,
    });
  });
});
