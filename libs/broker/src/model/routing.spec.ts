import { toFieldTable, type PlainFieldValue } from '../protocol';
import { message } from './testing/fakes';
import { Vhost } from './vhost';

const OWNER = {};

function setup() {
  const vhost = new Vhost('/');
  const queue = (name: string) =>
    vhost.declareQueue(
      { name, passive: false, durable: false, exclusive: false, autoDelete: false, args: {} },
      OWNER,
    );
  const exchange = (name: string, type: string, args: Record<string, PlainFieldValue> = {}) =>
    vhost.declareExchange({
      name,
      type,
      passive: false,
      durable: false,
      autoDelete: false,
      internal: false,
      args: toFieldTable(args),
    });
  const bind = (q: string, x: string, key: string, args: Record<string, PlainFieldValue> = {}) =>
    vhost.bindQueue(q, x, key, toFieldTable(args), OWNER);
  const depth = (q: string) => vhost.queues.get(q)!.messageCount;
  return { vhost, queue, exchange, bind, depth };
}

describe('routing', () => {
  it('direct routes on exact keys and the default exchange routes by queue name', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    queue('a');
    queue('b');
    exchange('d', 'direct');
    bind('a', 'd', 'k1');
    bind('b', 'd', 'k2');
    vhost.publish('d', message('k1'));
    vhost.publish('d', message('k3'));
    vhost.publish('', message('b'));
    expect([depth('a'), depth('b')]).toEqual([1, 1]);
  });

  it('topic: * is one word, # is zero or more', () => {
    const { vhost, queue, exchange, bind } = setup();
    exchange('t', 'topic');
    const patterns = ['a.*', 'a.#', '#', '*.b.#', 'a.*.c', '', '#.c'];
    patterns.forEach((p, i) => {
      queue(`q${i}`);
      bind(`q${i}`, 't', p);
    });
    const matched = (key: string) => {
      const before = patterns.map((_, i) => vhost.queues.get(`q${i}`)!.messageCount);
      vhost.publish('t', message(key));
      return patterns.filter((_, i) => vhost.queues.get(`q${i}`)!.messageCount > before[i]!);
    };
    expect(matched('a.b')).toEqual(['a.*', 'a.#', '#', '*.b.#']);
    expect(matched('a')).toEqual(['a.#', '#']);
    expect(matched('a.x.c')).toEqual(['a.#', '#', 'a.*.c', '#.c']);
    expect(matched('')).toEqual(['#', '']);
    expect(matched('x.b')).toEqual(['#', '*.b.#']);
    expect(matched('c')).toEqual(['#', '#.c']);
  });

  it('topic unbind stops routing (cache invalidated)', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('t', 'topic');
    queue('q');
    bind('q', 't', 'a.#');
    vhost.publish('t', message('a.b'));
    vhost.unbindQueue('q', 't', 'a.#', {}, OWNER);
    vhost.publish('t', message('a.b'));
    expect(depth('q')).toBe(1);
  });

  it('headers: all/any, x- keys ignored, integer widths equal', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('h', 'headers');
    queue('all');
    queue('any');
    bind('all', 'h', '', { 'x-match': 'all', a: 1, b: 'two' });
    bind('any', 'h', '', { 'x-match': 'any', a: 1, b: 'two' });
    vhost.publish('h', message('', { headers: { a: 1, b: 'two', 'x-ignored': 1 } }));
    vhost.publish('h', message('', { headers: { a: 1 } }));
    vhost.publish('h', message('', { headers: { a: 100000 } }));
    expect([depth('all'), depth('any')]).toEqual([1, 2]);
  });

  it('exchange-to-exchange bindings with a loop deliver once per queue', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('x1', 'fanout');
    exchange('x2', 'fanout');
    vhost.bindExchange('x2', 'x1', '', {});
    vhost.bindExchange('x1', 'x2', '', {});
    queue('q');
    bind('q', 'x1', '');
    bind('q', 'x2', '');
    vhost.publish('x1', message('k'));
    expect(depth('q')).toBe(1);
  });

  it('alternate exchange takes what the exchange cannot route', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('ae', 'fanout');
    exchange('main', 'direct', { 'alternate-exchange': 'ae' });
    queue('routed');
    queue('unrouted');
    bind('routed', 'main', 'yes');
    bind('unrouted', 'ae', '');
    vhost.publish('main', message('yes'));
    vhost.publish('main', message('no'));
    expect([depth('routed'), depth('unrouted')]).toEqual([1, 1]);
  });

  it('CC and BCC add routing keys; BCC is stripped before delivery', () => {
    const { vhost, queue, exchange, bind } = setup();
    exchange('d', 'direct');
    for (const q of ['main', 'cc', 'bcc']) {
      queue(q);
      bind(q, 'd', q);
    }
    vhost.publish('d', message('main', { headers: { CC: ['cc'], BCC: ['bcc'] } }));
    const got = vhost.queues.get('bcc')!.readyEntries()[0]!.message;
    expect(got.headers?.['BCC']).toBeUndefined();
    expect(got.headers?.['CC']).toBeDefined();
    expect(got.routingKey).toBe('main');
    expect(vhost.queues.get('cc')!.messageCount).toBe(1);
  });

  it('consistent hash spreads keys by weight and is stable per key', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('ch', 'x-consistent-hash');
    queue('light');
    queue('heavy');
    bind('light', 'ch', '1');
    bind('heavy', 'ch', '9');
    for (let i = 0; i < 2000; i++) vhost.publish('ch', message(`key-${i}`));
    expect(depth('light') + depth('heavy')).toBe(2000);
    expect(depth('heavy')).toBeGreaterThan(depth('light') * 3);
    vhost.queues.get('light')!.purge();
    vhost.queues.get('heavy')!.purge();
    for (let i = 0; i < 5; i++) vhost.publish('ch', message('same-key'));
    expect([depth('light'), depth('heavy')].sort()).toEqual([0, 5]);
  });

  it('consistent hash on a header', () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('ch', 'x-consistent-hash', { 'hash-header': 'user' });
    queue('a');
    queue('b');
    bind('a', 'ch', '5');
    bind('b', 'ch', '5');
    for (let i = 0; i < 10; i++)
      vhost.publish('ch', message(`rk-${i}`, { headers: { user: 'u1' } }));
    vhost.publish('ch', message('no-header'));
    expect([depth('a'), depth('b')].sort((x, y) => x - y)).toEqual([0, 10]);
  });

  it('rejects unknown exchange types and delayed exchanges without x-delayed-type (406)', () => {
    const { exchange } = setup();
    expect(() => exchange('bad', 'nope')).toThrow(expect.objectContaining({ code: 406 }));
    expect(() => exchange('bad', 'x-delayed-message')).toThrow(
      expect.objectContaining({ code: 406 }),
    );
  });

  it('x-delayed-message holds messages until due, in due order', async () => {
    const { vhost, queue, exchange, bind, depth } = setup();
    exchange('dl', 'x-delayed-message', { 'x-delayed-type': 'direct' });
    queue('q');
    bind('q', 'dl', 'k');
    vhost.publish('dl', message('k', { headers: { 'x-delay': 60 }, body: 'late' }));
    vhost.publish('dl', message('k', { headers: { 'x-delay': 20 }, body: 'early' }));
    vhost.publish('dl', message('k', { body: 'now' }));
    expect(depth('q')).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(
      vhost.queues
        .get('q')!
        .readyEntries()
        .map((e) => e.message.body.toString()),
    ).toEqual(['now', 'early', 'late']);
  });

  it('declare rules: amq.* 403, default exchange 403, inequivalent 406, passive missing 404', () => {
    const { vhost, exchange, queue } = setup();
    expect(() => exchange('amq.mine', 'direct')).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => vhost.bindQueue('q', '', 'k', {}, OWNER)).toThrow();
    exchange('e', 'direct');
    expect(() => exchange('e', 'fanout')).toThrow(expect.objectContaining({ code: 406 }));
    expect(() =>
      vhost.declareExchange({
        name: 'missing',
        type: 'direct',
        passive: true,
        durable: false,
        autoDelete: false,
        internal: false,
        args: {},
      }),
    ).toThrow(expect.objectContaining({ code: 404 }));
    queue('q');
    expect(() => vhost.deleteExchange('amq.direct', false)).toThrow(
      expect.objectContaining({ code: 403 }),
    );
    expect(() => vhost.bindQueue('q', '', 'k', {}, OWNER)).toThrow(
      expect.objectContaining({ code: 403 }),
    );
    expect(() =>
      vhost.declareQueue(
        { name: 'q', passive: false, durable: true, exclusive: false, autoDelete: false, args: {} },
        OWNER,
      ),
    ).toThrow(expect.objectContaining({ code: 406 }));
    expect(() =>
      vhost.declareQueue(
        {
          name: 'q',
          passive: false,
          durable: false,
          exclusive: false,
          autoDelete: false,
          args: toFieldTable({ 'x-message-ttl': 5 }),
        },
        OWNER,
      ),
    ).toThrow(expect.objectContaining({ code: 406 }));
  });

  it('integer widths are equivalent on redeclare', () => {
    const { vhost } = setup();
    const declare = (args: ReturnType<typeof toFieldTable>) =>
      vhost.declareQueue(
        { name: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, args },
        OWNER,
      );
    declare({ 'x-message-ttl': { type: 'b', value: 10 } });
    expect(() => declare({ 'x-message-ttl': { type: 'l', value: 10n } })).not.toThrow();
  });

  it('auto-delete exchange goes with its last binding; exclusive queues lock out others', () => {
    const { vhost, queue } = setup();
    vhost.declareExchange({
      name: 'ad',
      type: 'fanout',
      passive: false,
      durable: false,
      autoDelete: true,
      internal: false,
      args: {},
    });
    queue('q');
    vhost.bindQueue('q', 'ad', '', {}, OWNER);
    vhost.unbindQueue('q', 'ad', '', {}, OWNER);
    expect(vhost.exchanges.has('ad')).toBe(false);
    vhost.declareQueue(
      {
        name: 'mine',
        passive: false,
        durable: false,
        exclusive: true,
        autoDelete: false,
        args: {},
      },
      OWNER,
    );
    expect(() => vhost.queue('mine', {})).toThrow(expect.objectContaining({ code: 405 }));
    vhost.releaseOwner(OWNER);
    expect(vhost.queues.has('mine')).toBe(false);
  });
});
