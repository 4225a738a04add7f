import {
  FrameParser,
  encodeContentFrames,
  toFieldTable,
  type FieldTable,
  type FieldValue,
} from '../protocol';
import { deadLetterMessage, isDeathCycle, type DeathReason } from './dead-letter';
import { Message, WEIGHT_OFFSET } from './message';
import { message } from './testing/fakes';

/** [queue, reason, count] of each x-death entry, newest first. */
function deaths(m: Message): [string, string, bigint][] {
  const xDeath = m.headers?.['x-death'];
  if (xDeath?.type !== 'A') return [];
  return xDeath.value.map((item) => {
    const table = item.type === 'F' ? item.value : {};
    return [
      String(table['queue']?.value),
      String(table['reason']?.value),
      table['count']?.value as bigint,
    ];
  });
}

function die(m: Message, queue: string, reason: DeathReason = 'rejected'): Message {
  return deadLetterMessage(m, reason, queue, 'dlx', undefined, 1_700_000_000_000).message;
}

/** What the store keeps and gives back: the raw header bytes, nothing else. */
function throughTheStore(m: Message): Message {
  return new Message(m.exchange, m.routingKey, Buffer.from(m.header), Buffer.from(m.body));
}

/** A message as the channel builds it from a client's content-header frame. */
function republished(m: Message, exchange = '', routingKey = 'q'): Message {
  return Message.published(exchange, routingKey, Buffer.from(m.header), m.body);
}

function text(value: FieldValue | undefined): unknown {
  return value?.value;
}

describe('dead-lettering and the death history (RabbitMQ 4 semantics)', () => {
  it('accumulates the deaths it recorded itself, newest first, x-first-death-* kept', () => {
    const first = die(message('q1'), 'q1');
    expect(first.brokerRecordedDeaths).toBe(true);
    const second = die(first, 'q2', 'expired');
    const third = die(second, 'q1');
    expect(deaths(third)).toEqual([
      ['q1', 'rejected', 2n],
      ['q2', 'expired', 1n],
    ]);
    const headers = third.headers!;
    expect(text(headers['x-first-death-queue'])).toBe('q1');
    expect(text(headers['x-last-death-queue'])).toBe('q1');
    expect(text(headers['x-last-death-reason'])).toBe('rejected');
  });

  it('does not read an x-death a client published: the next death starts a new history', () => {
    const clientHeaders: FieldTable = toFieldTable({
      app: 'kept',
      'x-first-death-queue': 'elsewhere',
      'x-first-death-reason': 'expired',
      'x-first-death-exchange': 'old-x',
    });
    clientHeaders['x-death'] = {
      type: 'A',
      value: [{ type: 'F', value: toFieldTable({ queue: 'q1', reason: 'rejected', count: 7 }) }],
    };
    const published = Message.fromProperties(
      'x',
      'q1',
      { headers: clientHeaders },
      Buffer.from('b'),
    );
    expect(published.brokerRecordedDeaths).toBe(false);

    const dead = die(published, 'q1');
    expect(deaths(dead)).toEqual([['q1', 'rejected', 1n]]);
    const headers = dead.headers!;
    expect(text(headers['app'])).toBe('kept');
    expect(text(headers['x-first-death-queue'])).toBe('q1');
    expect(text(headers['x-first-death-reason'])).toBe('rejected');
    expect(text(headers['x-first-death-exchange'])).toBe('x');
  });

  it('a dead letter republished by a client with its headers counts from 1 again', () => {
    const dead = die(message('q1'), 'q1');
    const again = republished(dead);
    expect(again.brokerRecordedDeaths).toBe(false);
    expect(deaths(die(again, 'q1'))).toEqual([['q1', 'rejected', 1n]]);
  });

  it('a client cannot pass its headers off as the broker history by setting the weight', () => {
    const dead = die(message('q1'), 'q1');
    const forged = Buffer.from(dead.header);
    expect(forged.readUInt16BE(WEIGHT_OFFSET)).not.toBe(0); // the broker's mark
    const published = Message.published('', 'q1', forged, dead.body);
    expect(published.brokerRecordedDeaths).toBe(false);
    expect(published.header.readUInt16BE(WEIGHT_OFFSET)).toBe(0);
  });

  it('keeps the history through the store (paging, restart) and through later re-encodings', () => {
    const dead = die(message('q1'), 'q1');
    const recovered = throughTheStore(dead);
    expect(recovered.brokerRecordedDeaths).toBe(true);
    const counted = recovered.withProperties(recovered.exchange, recovered.routingKey, {
      ...recovered.properties,
      headers: { ...recovered.headers, 'x-delivery-count': { type: 'l', value: 3n } },
    });
    expect(counted.brokerRecordedDeaths).toBe(true);
    expect(counted.withRoute('other', 'k').brokerRecordedDeaths).toBe(true);
    expect(deaths(die(counted, 'q1'))).toEqual([['q1', 'rejected', 2n]]);
  });

  it('sends the weight as zero on the wire although the stored header carries the mark', () => {
    const dead = die(message('q1'), 'q1');
    const out = encodeContentFrames(
      1,
      'basic.deliver',
      { consumerTag: 'c', deliveryTag: 1, exchange: 'dlx', routingKey: 'q1' },
      dead.header,
      dead.body,
      4096,
    );
    const headerPayloads: Buffer[] = [];
    new FrameParser(4096).push(out, (type, _channel, payload) => {
      if (type === 2) headerPayloads.push(Buffer.from(payload));
    });
    expect(headerPayloads).toHaveLength(1);
    expect(headerPayloads[0]!.readUInt16BE(WEIGHT_OFFSET)).toBe(0);
    // everything but the weight is forwarded as stored
    expect(headerPayloads[0]!.subarray(WEIGHT_OFFSET + 2)).toEqual(
      dead.header.subarray(WEIGHT_OFFSET + 2),
    );
  });

  it('takes the per-delivery x-delivery-count off the dead letter, other headers stay', () => {
    const counted = message('q', { headers: { app: 'kept', 'x-delivery-count': 4 } });
    const headers = die(counted, 'q', 'delivery_limit').headers!;
    expect(headers['x-delivery-count']).toBeUndefined();
    expect(text(headers['app'])).toBe('kept');
  });

  it('sees a cycle only in deaths it recorded, and never across a rejection', () => {
    const clientHeaders: FieldTable = {
      'x-death': {
        type: 'A',
        value: [{ type: 'F', value: toFieldTable({ queue: 'target', reason: 'expired' }) }],
      },
    };
    const published = Message.fromProperties('x', 'q', { headers: clientHeaders }, Buffer.from(''));
    expect(isDeathCycle(die(published, 'source', 'expired'), 'target')).toBe(false);

    const expiredInTarget = die(message('target'), 'target', 'expired');
    expect(isDeathCycle(die(expiredInTarget, 'source', 'expired'), 'target')).toBe(true);
    expect(isDeathCycle(die(expiredInTarget, 'source', 'rejected'), 'target')).toBe(false);
  });
});
