import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { uniqueName } from '../support/names';

const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

describe('management API', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${broker.managementUrl}${path}`, {
      ...init,
      headers: { authorization: GUEST, ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-management-'));
    broker = await EmbeddedBroker.start({ port: 0, dataDir, managementPort: 0 });
    connection = await amqp.connect(broker.url);
    channel = await connection.createConfirmChannel();
  });

  afterAll(async () => {
    await connection.close();
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function queueWith(messages: number): Promise<string> {
    const queue = uniqueName('mgmt.q');
    await channel.assertQueue(queue, { arguments: { 'x-max-length': 100 } });
    for (let i = 0; i < messages; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
    await channel.waitForConfirms();
    return queue;
  }

  it('refuses requests without valid basic auth (401)', async () => {
    const anonymous = await fetch(`${broker.managementUrl}/api/overview`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${broker.managementUrl}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from('guest:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('lists queues with message counts and arguments, and one queue by vhost/name', async () => {
    const queue = await queueWith(3);
    const all = (await (await api('/api/queues')).json()) as Record<string, unknown>[];
    expect(all.find((q) => q.name === queue)).toMatchObject({
      vhost: '/',
      messages_ready: 3,
      messages_unacknowledged: 0,
      consumers: 0,
      arguments: { 'x-max-length': 100 },
    });
    const one = await api(`/api/queues/%2F/${encodeURIComponent(queue)}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: queue, messages: 3 });
    expect((await api('/api/queues/%2F/no-such-queue')).status).toBe(404);
  });

  it('purges with DELETE .../contents and deletes with DELETE', async () => {
    const queue = await queueWith(2);
    const path = `/api/queues/%2F/${encodeURIComponent(queue)}`;
    expect((await api(`${path}/contents`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await api(path)).json()).toMatchObject({ messages_ready: 0 });
    expect((await api(path, { method: 'DELETE' })).status).toBe(204);
    expect((await api(path)).status).toBe(404);
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue(queue)).rejects.toThrow(/404/);
  });

  it('lists exchanges, bindings (incl. the default exchange) and connections; overview totals', async () => {
    const exchange = uniqueName('mgmt.x');
    const queue = await queueWith(0);
    await channel.assertExchange(exchange, 'topic', { durable: false });
    await channel.bindQueue(queue, exchange, 'a.*');
    const exchanges = (await (await api('/api/exchanges/%2F')).json()) as Record<string, unknown>[];
    expect(exchanges.find((x) => x.name === exchange)).toMatchObject({
      type: 'topic',
      durable: false,
    });
    expect(exchanges.map((x) => x.name)).toEqual(
      expect.arrayContaining(['', 'amq.direct', 'amq.topic']),
    );
    const bindings = (await (await api('/api/bindings')).json()) as Record<string, unknown>[];
    expect(bindings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: exchange,
          destination: queue,
          routing_key: 'a.*',
          destination_type: 'queue',
        }),
        expect.objectContaining({ source: '', destination: queue, routing_key: queue }),
      ]),
    );
    const connections = (await (await api('/api/connections')).json()) as Record<string, unknown>[];
    expect(connections).toEqual([
      expect.objectContaining({ user: 'guest', vhost: '/', channels: expect.any(Number) }),
    ]);
    const overview = (await (await api('/api/overview')).json()) as {
      object_totals: Record<string, number>;
    };
    expect(overview.object_totals.connections).toBe(1);
    expect(overview.object_totals.queues).toBeGreaterThan(0);
  });

  it('serves Prometheus metrics with queue depths and counters', async () => {
    const queue = await queueWith(4);
    const response = await api('/metrics');
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toContain(`surety_queue_messages_ready{vhost="/",queue="${queue}"} 4`);
    expect(text).toMatch(/^surety_broker_connections 1$/m);
    expect(text).toMatch(/^surety_broker_messages_published_total \d+$/m);
    expect(text).toContain(`surety_queue_messages_paged{vhost="/",queue="${queue}"} 0`);
    expect(text).toMatch(/^surety_broker_message_memory_bytes [1-9]\d*$/m);
    expect(text).toMatch(/^surety_broker_message_memory_budget_bytes [1-9]\d*$/m);
  });
});
