import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { uniqueName } from '../support/names';

// RabbitMQ's management tags and answers (3.x and 4.x alike): 401 for missing or
// wrong credentials (with a Basic challenge) and 401 "not_authorised" with a reason
// for a known user that may not do what it asked; 404 for what does not exist.
const config = {
  users: [
    { name: 'admin', password: 'admin-secret', tags: ['administrator'] },
    { name: 'ordersmgr', password: 'om-secret', tags: ['management'] },
    { name: 'monitor', password: 'mon-secret', tags: ['monitoring'] },
    { name: 'biller', password: 'biller-secret' },
  ],
  vhosts: ['/', 'orders', 'billing'],
  permissions: [
    { user: 'admin', vhost: '/' },
    { user: 'admin', vhost: 'orders' },
    {
      user: 'ordersmgr',
      vhost: 'orders',
      configure: '^orders\\.',
      write: '.*',
      read: '^orders\\.',
    },
    { user: 'monitor', vhost: '/' },
    { user: 'biller', vhost: 'billing' },
  ],
};

const PASSWORDS: Record<string, string> = {
  admin: 'admin-secret',
  ordersmgr: 'om-secret',
  monitor: 'mon-secret',
  biller: 'biller-secret',
};

type Row = Record<string, unknown>;

describe('management API access by user tags and vhost permissions', () => {
  let dataDir: string;
  let broker: RunningBroker;
  const connections: amqp.ChannelModel[] = [];
  const rootQueue = uniqueName('root');
  const ordersQueue = uniqueName('orders.kept');
  const otherQueue = uniqueName('other');
  const billingQueue = uniqueName('billing');

  const as = (user: string | undefined, path: string, method = 'GET') =>
    fetch(`${broker.managementUrl}${path}`, {
      method,
      headers:
        user === undefined
          ? {}
          : {
              authorization: `Basic ${Buffer.from(`${user}:${PASSWORDS[user] ?? 'wrong'}`).toString('base64')}`,
            },
    });
  const json = async (user: string, path: string) => {
    const response = await as(user, path);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return (await response.json()) as Row[] & Row;
  };
  const refusal = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Row,
    challenge: response.headers.get('www-authenticate'),
  });
  const queueIn = (vhost: string, name: string) => broker.broker.vhost(vhost)!.queues.get(name);

  async function connectAs(user: string, vhost: string): Promise<amqp.ConfirmChannel> {
    const connection = await amqp.connect(
      `amqp://${user}:${PASSWORDS[user]}@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`,
    );
    connections.push(connection);
    return connection.createConfirmChannel();
  }

  async function queueWith(channel: amqp.ConfirmChannel, name: string, messages: number) {
    await channel.assertQueue(name);
    for (let i = 0; i < messages; i++) channel.sendToQueue(name, Buffer.from(`m${i}`));
    await channel.waitForConfirms();
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-management-access-'));
    broker = await EmbeddedBroker.start({ port: 0, dataDir, managementPort: 0, config });
    await queueWith(await connectAs('admin', '/'), rootQueue, 1);
    const orders = await connectAs('admin', 'orders');
    await queueWith(orders, ordersQueue, 2);
    await queueWith(orders, otherQueue, 1);
    await queueWith(await connectAs('biller', 'billing'), billingQueue, 1);
    await connectAs('ordersmgr', 'orders');
  });

  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 401 with a Basic challenge without or with wrong credentials', async () => {
    for (const path of ['/api/overview', '/api/queues', '/metrics']) {
      for (const response of [await as(undefined, path), await as('nobody', path)]) {
        expect({ path, ...(await refusal(response)) }).toEqual({
          path,
          status: 401,
          body: { error: 'not_authorized', reason: 'Not_Authorized' },
          challenge: expect.stringMatching(/^Basic realm=/),
        });
      }
    }
    const wrongPassword = await fetch(`${broker.managementUrl}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    });
    expect(wrongPassword.status).toBe(401);
    const deleted = await as(undefined, `/api/queues/%2F/${rootQueue}`, 'DELETE');
    expect(deleted.status).toBe(401);
    expect(queueIn('/', rootQueue)).toBeDefined();
  });

  it('refuses a user without a management tag (401 "Not management user"), even on its own vhost', async () => {
    for (const [path, method] of [
      ['/api/overview', 'GET'],
      ['/api/queues/billing', 'GET'],
      [`/api/queues/billing/${billingQueue}`, 'DELETE'],
    ] as const) {
      expect({ path, ...(await refusal(await as('biller', path, method))) }).toEqual({
        path,
        status: 401,
        body: { error: 'not_authorised', reason: 'Not management user' },
        challenge: null,
      });
    }
    expect(queueIn('billing', billingQueue)?.messageCount).toBe(1);
  });

  it('lists for a management user only the vhosts it has permissions on', async () => {
    expect(await json('ordersmgr', '/api/vhosts')).toEqual([{ name: 'orders' }]);
    const queues = await json('ordersmgr', '/api/queues');
    expect(queues.map((q) => q.name).sort()).toEqual([ordersQueue, otherQueue].sort());
    for (const path of ['/api/queues', '/api/exchanges', '/api/bindings']) {
      const vhosts = new Set((await json('ordersmgr', path)).map((row) => row.vhost));
      expect({ path, vhosts: [...vhosts] }).toEqual({ path, vhosts: ['orders'] });
    }
    const overview = await json('ordersmgr', '/api/overview');
    expect(overview).toMatchObject({
      object_totals: { queues: 2, connections: 1 },
      queue_totals: { messages: 3 },
      message_stats: { publish: 3 },
    });
    expect(overview).not.toHaveProperty('store');
  });

  it('lists every vhost for administrators (even without permissions there) and monitors', async () => {
    for (const user of ['admin', 'monitor']) {
      expect({ user, vhosts: await json(user, '/api/vhosts') }).toEqual({
        user,
        vhosts: [{ name: '/' }, { name: 'orders' }, { name: 'billing' }],
      });
      const names = (await json(user, '/api/queues')).map((q) => q.name);
      expect(names).toEqual(
        expect.arrayContaining([rootQueue, ordersQueue, otherQueue, billingQueue]),
      );
    }
    expect(await json('admin', '/api/overview')).toMatchObject({
      object_totals: { queues: 4 },
      store: expect.any(Object),
    });
    const billing = await json('admin', '/api/queues/billing');
    expect(billing.map((q) => q.name)).toEqual([billingQueue]);
  });

  it('refuses a request naming a vhost the user cannot access with 401, and answers 404 for what does not exist', async () => {
    for (const [user, path] of [
      ['ordersmgr', '/api/queues/%2F'],
      ['ordersmgr', `/api/queues/%2F/${rootQueue}`],
      ['ordersmgr', '/api/queues/%2F/no-such-queue'],
      ['ordersmgr', '/api/exchanges/billing'],
      ['ordersmgr', '/api/bindings/%2F'],
      ['ordersmgr', '/api/vhosts/%2F'],
      // a monitor sees every vhost in listings but needs access to open one (RabbitMQ's is_authorized_vhost)
      ['monitor', `/api/queues/orders/${ordersQueue}`],
    ] as const) {
      expect({ user, path, ...(await refusal(await as(user, path))) }).toEqual({
        user,
        path,
        status: 401,
        body: { error: 'not_authorised', reason: 'User not authorised to access virtual host' },
        challenge: null,
      });
    }
    expect(await json('ordersmgr', `/api/queues/orders/${ordersQueue}`)).toMatchObject({
      vhost: 'orders',
      messages: 2,
    });
    expect((await as('ordersmgr', '/api/queues/no-such-vhost')).status).toBe(404);
    expect((await as('ordersmgr', '/api/queues/orders/no-such-queue')).status).toBe(404);
  });

  it('shows a management user only its own connections; monitors see all', async () => {
    const own = await json('ordersmgr', '/api/connections');
    expect(own.map((c) => c.user)).toEqual(['ordersmgr']);
    const all = await json('monitor', '/api/connections');
    expect(new Set(all.map((c) => c.user))).toEqual(new Set(['admin', 'ordersmgr', 'biller']));
  });

  it('keeps /metrics (every vhost) for monitors', async () => {
    expect(await refusal(await as('ordersmgr', '/metrics'))).toEqual({
      status: 401,
      body: { error: 'not_authorised', reason: 'Not monitor user' },
      challenge: null,
    });
    const metrics = await as('monitor', '/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain(`queue="${billingQueue}"`);
  });

  it('deletes a queue only with configure permission and purges only with read permission on it, as over AMQP', async () => {
    const accessRefused = {
      status: 401,
      body: { error: 'not_authorised', reason: 'Access refused.' },
      challenge: null,
    };
    // ordersmgr may configure and read only orders.* in vhost orders
    expect(
      await refusal(await as('ordersmgr', `/api/queues/orders/${otherQueue}`, 'DELETE')),
    ).toEqual(accessRefused);
    expect(
      await refusal(await as('ordersmgr', `/api/queues/orders/${otherQueue}/contents`, 'DELETE')),
    ).toEqual(accessRefused);
    expect(queueIn('orders', otherQueue)?.messageCount).toBe(1);

    // an administrator is refused where it has no permissions
    expect(
      await refusal(await as('admin', `/api/queues/billing/${billingQueue}`, 'DELETE')),
    ).toEqual(accessRefused);
    expect(queueIn('billing', billingQueue)?.messageCount).toBe(1);

    // no access to the vhost at all
    const outside = await refusal(await as('ordersmgr', `/api/queues/%2F/${rootQueue}`, 'DELETE'));
    expect(outside.status).toBe(401);
    expect(outside.body.reason).toBe('User not authorised to access virtual host');
    expect(queueIn('/', rootQueue)).toBeDefined();

    expect((await as('ordersmgr', '/api/queues/orders/orders.none', 'DELETE')).status).toBe(404);

    const path = `/api/queues/orders/${ordersQueue}`;
    expect((await as('ordersmgr', `${path}/contents`, 'DELETE')).status).toBe(204);
    expect(queueIn('orders', ordersQueue)?.messageCount).toBe(0);
    expect((await as('ordersmgr', path, 'DELETE')).status).toBe(204);
    expect(queueIn('orders', ordersQueue)).toBeUndefined();
  });
});
