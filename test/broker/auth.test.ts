import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { EmbeddedBroker, type RunningBroker } from '@surety/broker';
import { within } from '../support/amqp';
import { eventually } from '../support/eventually';
import { RawConnection } from '../conformance/support/raw-client';
import { ArgWriter, methodFrame } from '../conformance/support/wire';

/** What RabbitMQ sends (authentication_failure_close) for any refused login, loopback rule included. */
const LOGIN_REFUSED =
  'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.';

/**
 * An IPv4 address of this machine that is not loopback, so a connection to it
 * reaches the broker from a non-loopback peer address without leaving the host.
 * A machine without one cannot prove the loopback rule: fail, never skip.
 */
function externalIPv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  throw new Error(
    'this machine has no non-internal IPv4 address (os.networkInterfaces()); the loopback-only login test needs one',
  );
}

const url = (user: string, password: string, host: string, port: number) =>
  `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`;

describe('embedded broker authentication', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'surety-auth-'));
  });

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('loopback-only users (RabbitMQ loopback_users)', () => {
    const config = {
      users: [
        { name: 'guest', password: 'guest' },
        { name: 'app', password: 'app-secret' },
      ],
    };

    it('refuses guest/guest through a non-loopback address with 403 and lets a configured user in there', async () => {
      const external = externalIPv4();
      broker = await EmbeddedBroker.start({ port: 0, host: '0.0.0.0', dataDir, config });
      const port = broker.port;

      const refused = await within(
        amqp.connect(url('guest', 'guest', external, port)),
        'guest through the external address',
      ).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain('403 (ACCESS-REFUSED)');
      expect((refused as Error).message).toContain(LOGIN_REFUSED);

      const app = await amqp.connect(url('app', 'app-secret', external, port));
      try {
        const channel = await app.createChannel();
        await expect(channel.checkExchange('amq.direct')).resolves.toBeDefined();
        const [seen] = [...broker.broker.connections].filter((c) => c.user === 'app');
        expect(seen?.remoteAddress.replace(/^::ffff:/, '')).toBe(external);
      } finally {
        await app.close();
      }

      // the same guest/guest is accepted through loopback on the same listener
      const local = await amqp.connect(url('guest', 'guest', '127.0.0.1', port));
      await local.close();
    });
  });

  describe('connection.update-secret', () => {
    const config = { users: [{ name: 'app', password: 'app-secret' }] };

    beforeEach(async () => {
      broker = await EmbeddedBroker.start({ port: 0, dataDir, config });
    });

    it('answers update-secret-ok for the right secret and the connection stays usable', async () => {
      const connection = await amqp.connect(url('app', 'app-secret', '127.0.0.1', broker!.port));
      try {
        await within(
          connection.updateSecret(Buffer.from('app-secret'), 'rotation'),
          'update-secret-ok',
        );
        const channel = await connection.createChannel();
        await expect(channel.checkExchange('amq.fanout')).resolves.toBeDefined();
      } finally {
        await connection.close();
      }
    });

    it("closes the connection with 530 and RabbitMQ's words when the new secret is wrong", async () => {
      const connection = await amqp.connect(url('app', 'app-secret', '127.0.0.1', broker!.port));
      const closed = new Promise<Error | undefined>((resolve) =>
        connection.once('close', (error?: Error) => resolve(error)),
      );
      connection.on('error', () => undefined);
      let answered = false;
      connection.once('update-secret-ok', () => (answered = true));
      // amqplib leaves this promise pending when the server closes instead of answering
      void connection.updateSecret(Buffer.from('not-the-password'), 'rotation');
      const error = await within(closed, 'the server closing the connection');
      expect(error?.message).toContain('530 (NOT-ALLOWED)');
      expect(error?.message).toContain(
        'NOT_ALLOWED - New secret was refused by one of the backends',
      );
      expect(answered).toBe(false);
      await eventually(() => expect(broker!.broker.connections.size).toBe(0));
    });

    it('checks the new secret of an AMQPLAIN login too and attributes the close to update-secret (10/70)', async () => {
      const updateSecret = (secret: string) =>
        methodFrame(0, 10, 70, new ArgWriter().longstr(secret).shortstr('rotation').build());
      const raw = await RawConnection.connect(`amqp://127.0.0.1:${broker!.port}`, {
        mechanism: 'AMQPLAIN',
        username: 'app',
        password: 'app-secret',
      });
      try {
        await raw.call(updateSecret('app-secret'), 0, [10, 71]);
        raw.write(updateSecret('app-secret-2'));
        expect(await raw.expectConnectionClose()).toEqual({
          code: 530,
          text: 'NOT_ALLOWED - New secret was refused by one of the backends',
          classId: 10,
          methodId: 70,
        });
      } finally {
        raw.destroy();
      }
    });
  });
});
