import { toFieldTable, type FieldValue, type PlainFieldValue } from '../protocol';
import type { QueueEntry } from './queue-entry';
import { RecordingConsumer, flushTicks, message } from './testing/fakes';
import { Vhost } from './vhost';

const OWNER = {};

function setup() {
  const vhost = new Vhost('/');
  const queue = (
    name: string,
    args: Record<string, PlainFieldValue> = {},
    flags: { durable?: boolean; autoDelete?: boolean } = {},
  ) =>
    vhost.declareQueue(
      {
        name,
        passive: false,
        durable: flags.durable ?? false,
        exclusive: false,
        autoDelete: flags.autoDelete ?? false,
        args: toFieldTable(args),
      },
      OWNER,
    );
  const publish = (rk: string, opts: Parameters<typeof message>[1] = {}) =>
    vhost.publish('', message(rk, opts));
  const bodies = (name: string) =>
    vhost.queues
      .get(name)!
      .readyEntries()
      .map((e) => e.message.body.toString());
  return { vhost, queue, publish, bodies };
}

function deaths(entry: QueueEntry): Record<string, FieldValue>[] {
  const xDeath = entry.message.headers?.['x-death'];
  return xDeath?.type === 'A' ? xDeath.value.map((v) => (v.type === 'F' ? v.value : {})) : [];
}

describe('Queue', () => {
  it('delivers round-robin and requeues to the original position with redelivered', () => {
    const { queue, publish } = setup();
    const q = queue('q');
    const a = new RecordingConsumer('a', 2);
    const b = new RecordingConsumer('b', 2);
    q.addConsumer(a);
    q.addConsumer(b);
    for (const body of ['1', '2', '3', '4', '5']) publish('q', { body });
    expect(a.bodies()).toEqual(['1', '3']);
    expect(b.bodies()).toEqual(['2', '4']);
    expect(q.messageCount).toBe(1);
    expect(q.unacked).toBe(4);
    q.requeue(b.received[1]!);
    q.requeue(a.received[0]!);
    expect(q.readyEntries().map((e) => [e.message.body.toString(), e.redelivered])).toEqual([
      ['1', true],
      ['4', true],
      ['5', false],
    ]);
  });

  it('higher-priority consumers win while they have credit', async () => {
    const { queue, publish } = setup();
    const q = queue('q');
    const low = new RecordingConsumer('low', Infinity, 0);
    const high = new RecordingConsumer('high', 1, 10);
    q.addConsumer(low);
    q.addConsumer(high);
    publish('q', { body: '1' });
    publish('q', { body: '2' });
    expect(high.bodies()).toEqual(['1']);
    expect(low.bodies()).toEqual(['2']);
    await flushTicks();
  });

  it('single active consumer fails over to the next subscriber', async () => {
    const { queue, publish } = setup();
    const q = queue('q', { 'x-single-active-consumer': true });
    const first = new RecordingConsumer('first');
    const second = new RecordingConsumer('second');
    q.addConsumer(first);
    q.addConsumer(second);
    publish('q', { body: '1' });
    q.removeConsumer(first);
    publish('q', { body: '2' });
    await flushTicks();
    expect(first.bodies()).toEqual(['1']);
    expect(second.bodies()).toEqual(['2']);
  });

  it('x-max-priority orders by priority, FIFO within a priority', () => {
    const { queue, publish, bodies } = setup();
    queue('q', { 'x-max-priority': 5 });
    publish('q', { body: 'p0' });
    publish('q', { body: 'p9', priority: 9 });
    publish('q', { body: 'p3', priority: 3 });
    publish('q', { body: 'p5', priority: 5 });
    expect(bodies('q')).toEqual(['p9', 'p5', 'p3', 'p0']);
  });

  it('TTL: min of x-message-ttl and expiration; TTL 0 expires unless a consumer takes it', async () => {
    const { queue, publish, bodies } = setup();
    const q = queue('q', { 'x-message-ttl': 50 });
    publish('q', { body: 'queue-ttl' });
    publish('q', { body: 'short', expiration: '10' });
    const zero = queue('zero', { 'x-message-ttl': 0 });
    publish('zero', { body: 'dropped' });
    expect(zero.messageCount).toBe(0);
    const c = new RecordingConsumer('c');
    zero.addConsumer(c);
    publish('zero', { body: 'taken' });
    expect(c.bodies()).toEqual(['taken']);
    await new Promise((r) => setTimeout(r, 80));
    expect(bodies('q')).toEqual([]);
    expect(q.counters.expired).toBe(2);
  });

  it('a requeued message keeps its original expiry', async () => {
    const { queue, publish } = setup();
    const q = queue('q', { 'x-message-ttl': 40 });
    const c = new RecordingConsumer('c', 1);
    q.addConsumer(c);
    publish('q', { body: 'm' });
    await new Promise((r) => setTimeout(r, 60));
    q.requeue(c.received[0]!);
    expect(q.messageCount).toBe(0);
    expect(q.counters.expired).toBe(1);
  });

  it('max-length drop-head dead-letters the oldest with reason maxlen', () => {
    const { queue, publish, bodies } = setup();
    queue('dlq');
    queue('q', {
      'x-max-length': 2,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'dlq',
    });
    for (const body of ['1', '2', '3']) publish('q', { body });
    expect(bodies('q')).toEqual(['2', '3']);
    expect(bodies('dlq')).toEqual(['1']);
  });

  it('reject-publish refuses new messages; reject-publish-dlx also dead-letters them', () => {
    const { queue, publish, bodies } = setup();
    queue('dlq');
    queue('rp', { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    queue('rpd', {
      'x-max-length-bytes': 3,
      'x-overflow': 'reject-publish-dlx',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'dlq',
    });
    expect(publish('rp', { body: 'a' }) & 4).toBe(0);
    expect(publish('rp', { body: 'b' }) & 4).toBe(4);
    expect(publish('rpd', { body: 'abc' }) & 4).toBe(0);
    expect(publish('rpd', { body: 'd' }) & 4).toBe(4);
    expect(bodies('rp')).toEqual(['a']);
    expect(bodies('rpd')).toEqual(['abc']);
    expect(bodies('dlq')).toEqual(['d']);
  });

  it('dead-lettering writes x-death (newest first, counted), first/last death headers and original-expiration', () => {
    const { vhost, queue, publish } = setup();
    queue('dlq');
    const q = queue('q', { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' });
    const c = new RecordingConsumer('c');
    q.addConsumer(c);
    publish('q', { body: 'm', expiration: '60000' });
    q.reject(c.received[0]!);
    const dead = vhost.queues.get('dlq')!.readyEntries()[0]!;
    const [death] = deaths(dead);
    expect(death!['reason']).toEqual({ type: 'S', value: 'rejected' });
    expect(death!['queue']).toEqual({ type: 'S', value: 'q' });
    expect(death!['count']).toEqual({ type: 'l', value: 1n });
    expect(death!['original-expiration']).toEqual({ type: 'S', value: '60000' });
    expect(death!['routing-keys']).toEqual({ type: 'A', value: [{ type: 'S', value: 'q' }] });
    expect(dead.message.properties.expiration).toBeUndefined();
    expect(dead.message.headers?.['x-first-death-reason']).toEqual({
      type: 'S',
      value: 'rejected',
    });
    expect(dead.message.headers?.['x-last-death-queue']).toEqual({ type: 'S', value: 'q' });
    expect(dead.message.exchange).toBe('');
    expect(dead.message.routingKey).toBe('dlq');
  });

  it('a reject in the loop lets a message cycle (count grows); a pure expiry cycle is dropped', async () => {
    const { vhost, queue, publish } = setup();
    const q = queue('q', { 'x-dead-letter-exchange': '' });
    const c = new RecordingConsumer('c');
    q.addConsumer(c);
    publish('q', { body: 'm' });
    q.reject(c.received[0]!);
    q.reject(c.received[1]!);
    expect(c.received).toHaveLength(3);
    expect(deaths(c.received[2]!)[0]!['count']).toEqual({ type: 'l', value: 2n });

    queue('loop', { 'x-message-ttl': 0, 'x-dead-letter-exchange': '' });
    publish('loop', { body: 'x' });
    await flushTicks();
    expect(vhost.queues.get('loop')!.messageCount).toBe(0);
  });

  it('missing DLX drops the message', () => {
    const { queue, publish } = setup();
    const q = queue('q', { 'x-dead-letter-exchange': 'nowhere', 'x-max-length': 0 });
    publish('q', { body: 'm' });
    expect(q.messageCount).toBe(0);
  });

  it('quorum: x-delivery-count on redelivery, dead-letter past x-delivery-limit', () => {
    const { queue, publish, bodies } = setup();
    queue('dlq');
    const q = queue(
      'q',
      {
        'x-queue-type': 'quorum',
        'x-delivery-limit': 1,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 'dlq',
      },
      { durable: true },
    );
    const c = new RecordingConsumer('c', 1);
    q.addConsumer(c);
    publish('q', { body: 'm' });
    q.requeue(c.received[0]!);
    const again = q.get(false)!;
    expect(again.message.headers?.['x-delivery-count']).toEqual({ type: 'l', value: 1n });
    q.requeue(again);
    expect(q.messageCount).toBe(0);
    expect(bodies('dlq')).toEqual(['m']);
  });

  it('quorum queues default to a delivery limit of 20 (RabbitMQ 4)', () => {
    const { queue } = setup();
    expect(
      queue('qq', { 'x-queue-type': 'quorum' }, { durable: true }).settings.deliveryLimit,
    ).toBe(20);
    expect(queue('classic', { 'x-delivery-limit': 3 }).settings.deliveryLimit).toBe(Infinity);
  });

  it('auto-delete only after having had a consumer; deletion cancels consumers', () => {
    const { vhost, queue } = setup();
    const q = queue('ad', {}, { autoDelete: true });
    expect(vhost.queues.has('ad')).toBe(true);
    const c = new RecordingConsumer('c');
    q.addConsumer(c);
    q.removeConsumer(c);
    expect(vhost.queues.has('ad')).toBe(false);
    const other = queue('other');
    const d = new RecordingConsumer('d');
    other.addConsumer(d);
    vhost.deleteQueue('other', false, false, OWNER);
    expect(d.cancelled).toBe(true);
  });

  it('x-expires deletes an unused queue', async () => {
    const { vhost, queue } = setup();
    queue('temp', { 'x-expires': 30 });
    await new Promise((r) => setTimeout(r, 60));
    expect(vhost.queues.has('temp')).toBe(false);
  });

  it('validates arguments with 406', () => {
    const { queue } = setup();
    expect(() => queue('bad', { 'x-max-priority': 300 })).toThrow(
      expect.objectContaining({ code: 406 }),
    );
    expect(() => queue('bad', { 'x-overflow': 'nope' })).toThrow(
      expect.objectContaining({ code: 406 }),
    );
    expect(() => queue('bad', { 'x-message-ttl': 'soon' })).toThrow(
      expect.objectContaining({ code: 406 }),
    );
  });
});

describe('dead-lettering with CC/BCC', () => {
  it('routes the dead letter with the published keys including BCC; x-death keeps key + CC', () => {
    const vhost = new Vhost('/');
    const declare = (name: string, args: Record<string, PlainFieldValue> = {}) =>
      vhost.declareQueue(
        {
          name,
          passive: false,
          durable: false,
          exclusive: false,
          autoDelete: false,
          args: toFieldTable(args),
        },
        OWNER,
      );
    vhost.declareExchange({
      name: 'dlx',
      type: 'direct',
      passive: false,
      durable: false,
      autoDelete: false,
      internal: false,
      args: {},
    });
    vhost.declareExchange({
      name: 'src',
      type: 'direct',
      passive: false,
      durable: false,
      autoDelete: false,
      internal: false,
      args: {},
    });
    for (const key of ['main', 'cc', 'bcc']) {
      declare(key);
      vhost.bindQueue(key, 'dlx', key, {}, OWNER);
    }
    const q = declare('q', { 'x-dead-letter-exchange': 'dlx' });
    vhost.bindQueue('q', 'src', 'main', {}, OWNER);
    vhost.publish(
      'src',
      message('main', { exchange: 'src', headers: { CC: ['cc'], BCC: ['bcc'] } }),
    );
    q.reject(q.get(false)!);
    const counts = ['main', 'cc', 'bcc'].map((name) => vhost.queues.get(name)!.messageCount);
    expect(counts).toEqual([1, 1, 1]);
    const dead = vhost.queues.get('bcc')!.readyEntries()[0]!;
    expect(deaths(dead)[0]!['routing-keys']).toEqual({
      type: 'A',
      value: [
        { type: 'S', value: 'main' },
        { type: 'S', value: 'cc' },
      ],
    });
    expect(dead.message.headers?.['BCC']).toBeUndefined();
  });
});
