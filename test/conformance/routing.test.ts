import type { Message } from 'amqplib';
import { getAll, publishConfirmed, settle } from '../support/amqp';
import { conformance } from './support/harness';

const keys = (messages: Message[]) => messages.map((m) => m.fields.routingKey).sort();

// amqp-semantics.md §10: topic and headers matching, exchange-to-exchange
// bindings (incl. loops), CC/BCC sender-selected distribution, alternate exchanges.
conformance('routing', (c) => {
  it('matches topic patterns: * is exactly one word, # is zero or more', async () => {
    const channel = await c.confirmChannel();
    const exchange = await c.exchange('topic');
    const patterns = ['*.orange.*', 'lazy.#', '#.rabbit', '#', '*', '*.*.*', 'a.#.b'];
    const queues = new Map<string, string>();
    for (const pattern of patterns) {
      const queue = await c.queue();
      await channel.bindQueue(queue, exchange, pattern);
      queues.set(pattern, queue);
    }
    const published = [
      'quick.orange.rabbit',
      'lazy.orange.elephant',
      'quick.orange.fox.x',
      'lazy',
      'rabbit',
      'a.b',
      'a.x.y.b',
      'a..b',
      '',
    ];
    for (const key of published) await publishConfirmed(channel, exchange, key, key);

    const routed = async (pattern: string) => keys(await getAll(channel, queues.get(pattern)!));
    expect(await routed('*.orange.*')).toEqual(['lazy.orange.elephant', 'quick.orange.rabbit']);
    expect(await routed('lazy.#')).toEqual(['lazy', 'lazy.orange.elephant']);
    expect(await routed('#.rabbit')).toEqual(['quick.orange.rabbit', 'rabbit']);
    expect(await routed('#')).toEqual([...published].sort());
    // RabbitMQ reads '' as zero words (only # matches it) but 'a..b' as three words.
    expect(await routed('*')).toEqual(['lazy', 'rabbit']);
    expect(await routed('*.*.*')).toEqual(['a..b', 'lazy.orange.elephant', 'quick.orange.rabbit']);
    expect(await routed('a.#.b')).toEqual(['a..b', 'a.b', 'a.x.y.b']);
  });

  it('matches headers bindings with x-match all/any, ignoring x- keys', async () => {
    const channel = await c.confirmChannel();
    const exchange = await c.exchange('headers');
    const bindings = {
      all: { 'x-match': 'all', a: 1, b: 'two' },
      any: { 'x-match': 'any', a: 1, b: 'two' },
      allIgnoringX: { 'x-match': 'all', 'x-extra': 'not-matched', a: 1 },
      empty: {},
    };
    const queues: Record<string, string> = {};
    for (const [name, args] of Object.entries(bindings)) {
      queues[name] = await c.queue();
      await channel.bindQueue(queues[name], exchange, '', args);
    }
    const messages: [string, Record<string, unknown>][] = [
      ['a1b2', { a: 1, b: 'two' }],
      ['a1', { a: 1 }],
      ['b2', { b: 'two' }],
      ['a2', { a: 2 }],
      ['none', {}],
    ];
    for (const [body, headers] of messages)
      await publishConfirmed(channel, exchange, '', body, { headers });
    const bodiesIn = async (name: string) =>
      (await getAll(channel, queues[name])).map((m) => m.content.toString()).sort();
    expect(await bodiesIn('all')).toEqual(['a1b2']);
    expect(await bodiesIn('any')).toEqual(['a1', 'a1b2', 'b2']);
    expect(await bodiesIn('allIgnoringX')).toEqual(['a1', 'a1b2']);
    expect(await bodiesIn('empty')).toEqual(['a1', 'a1b2', 'a2', 'b2', 'none']);
  });

  it('delivers once per queue through an exchange-to-exchange loop', async () => {
    const channel = await c.confirmChannel();
    const x1 = await c.exchange('fanout');
    const x2 = await c.exchange('fanout');
    const queue = await c.queue();
    await channel.bindExchange(x2, x1, '');
    await channel.bindExchange(x1, x2, ''); // the loop
    await channel.bindQueue(queue, x1, '');
    await channel.bindQueue(queue, x2, '');
    await publishConfirmed(channel, x1, 'k', 'once');
    expect((await getAll(channel, queue)).map((m) => m.content.toString())).toEqual(['once']);
  });

  it('delivers once per queue reached by two exchange-to-exchange paths, and unbinds', async () => {
    const channel = await c.confirmChannel();
    const source = await c.exchange('topic');
    const left = await c.exchange('direct');
    const right = await c.exchange('fanout');
    const queue = await c.queue();
    await channel.bindExchange(left, source, 'k.#');
    await channel.bindExchange(right, source, '#');
    await channel.bindQueue(queue, left, 'k.1');
    await channel.bindQueue(queue, right, '');
    await publishConfirmed(channel, source, 'k.1', 'both-paths');
    expect(await getAll(channel, queue)).toHaveLength(1);
    await channel.unbindExchange(right, source, '#');
    await publishConfirmed(channel, source, 'k.2', 'neither');
    expect(await getAll(channel, queue)).toHaveLength(0);
  });

  it('routes by CC and BCC headers too, keeping CC and stripping BCC', async () => {
    const channel = await c.confirmChannel();
    const exchange = await c.exchange('direct');
    const queues: Record<string, string> = {};
    for (const key of ['a', 'b', 'c']) {
      queues[key] = await c.queue();
      await channel.bindQueue(queues[key], exchange, key);
    }
    await publishConfirmed(channel, exchange, 'a', 'fan', {
      CC: ['b', 'a'],
      BCC: 'c',
      headers: { keep: 'me' },
    });
    for (const key of ['a', 'b', 'c']) {
      const got = await getAll(channel, queues[key]);
      expect({ key, count: got.length }).toEqual({ key, count: 1 });
      expect(got[0].fields.routingKey).toBe('a');
      expect(got[0].properties.headers).toEqual({ keep: 'me', CC: ['b', 'a'] });
    }
  });

  it('sends what the exchange cannot route to its alternate exchange', async () => {
    const channel = await c.confirmChannel();
    const alternate = await c.exchange('fanout');
    const alternateQueue = await c.queue();
    await channel.bindQueue(alternateQueue, alternate, '');
    const exchange = await c.exchange('direct', { alternateExchange: alternate });
    const routedQueue = await c.queue();
    await channel.bindQueue(routedQueue, exchange, 'known');
    const returned: Message[] = [];
    channel.on('return', (m: Message) => returned.push(m));

    await publishConfirmed(channel, exchange, 'known', 'routed', { mandatory: true });
    await publishConfirmed(channel, exchange, 'unknown', 'alternate', { mandatory: true });
    expect((await getAll(channel, routedQueue)).map((m) => m.content.toString())).toEqual([
      'routed',
    ]);
    const viaAlternate = await getAll(channel, alternateQueue);
    expect(viaAlternate.map((m) => m.content.toString())).toEqual(['alternate']);
    expect(viaAlternate[0].fields).toMatchObject({ exchange, routingKey: 'unknown' });
    expect(returned).toEqual([]); // routed by the alternate exchange: not returned
  });

  it('returns a mandatory message when the alternate exchange does not exist', async () => {
    const channel = await c.confirmChannel();
    const exchange = await c.exchange('direct', {
      alternateExchange: c.exchangeName('conf.missing-ae'),
    });
    const returned: Message[] = [];
    channel.on('return', (m: Message) => returned.push(m));
    await publishConfirmed(channel, exchange, 'nowhere', 'lost', { mandatory: true });
    await settle(50);
    expect(returned.map((m) => m.content.toString())).toEqual(['lost']);
  });
});
