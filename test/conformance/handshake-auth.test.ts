import { connect, credentials } from 'amqplib';
import { within } from '../support/amqp';
import { conformance } from './support/harness';
import { HandshakeRefused } from './support/raw-client';
import { PROTOCOL_HEADER } from './support/wire';

// amqp-semantics.md §1: protocol header, connection.start, SASL, 403/530.
conformance('handshake and authentication', (c) => {
  it('answers an unsupported protocol header with its own 0-9-1 header and closes', async () => {
    const raw = await c.rawSocket();
    raw.write(Buffer.from('AMQP\x00\x00\x0a\x00', 'latin1')); // 0-10, not spoken here
    expect(await raw.readUntilEnd()).toEqual(PROTOCOL_HEADER);
  });

  it('answers a non-AMQP greeting the same way', async () => {
    const raw = await c.rawSocket();
    raw.write(Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1'));
    expect(await raw.readUntilEnd()).toEqual(PROTOCOL_HEADER);
  });

  it('advertises version 0-9, PLAIN and AMQPLAIN, and every capability real clients look for', async () => {
    const raw = await c.raw();
    expect(raw.version).toBe('0-9');
    expect(raw.mechanisms).toEqual(expect.arrayContaining(['PLAIN', 'AMQPLAIN']));
    const capabilities = raw.serverProperties.capabilities as Record<string, unknown>;
    for (const capability of [
      'publisher_confirms',
      'exchange_exchange_bindings',
      'basic.nack',
      'consumer_cancel_notify',
      'connection.blocked',
      'authentication_failure_close',
      'per_consumer_qos',
      'direct_reply_to',
    ]) {
      expect({ capability, value: capabilities[capability] }).toEqual({ capability, value: true });
    }
  });

  it('accepts SASL PLAIN and AMQPLAIN logins', async () => {
    const plain = await c.connect({ credentials: credentials.plain('guest', 'guest') });
    const amqplain = await c.connect({ credentials: credentials.amqplain('guest', 'guest') });
    await expect((await plain.createChannel()).checkExchange('amq.direct')).resolves.toBeDefined();
    await expect(
      (await amqplain.createChannel()).checkExchange('amq.direct'),
    ).resolves.toBeDefined();
  });

  it('refuses bad PLAIN credentials with connection.close 403', async () => {
    const refused = await c.raw({ password: 'wrong' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeRefused);
    expect((refused as HandshakeRefused).reason).toEqual({
      code: 403,
      text: 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.',
      classId: 0,
      methodId: 0,
    });
  });

  it('refuses bad AMQPLAIN credentials with connection.close 403', async () => {
    const refused = await c
      .raw({ mechanism: 'AMQPLAIN', username: 'nobody' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeRefused);
    expect((refused as HandshakeRefused).reason).toMatchObject({
      code: 403,
      text: 'ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN. For details see the broker logfile.',
    });
  });

  it('rejects amqplib.connect with bad credentials with the 403 reply', async () => {
    const bad = new URL(c.url());
    bad.username = 'guest';
    bad.password = 'not-the-password';
    const error = await within(connect(bad.toString()), 'refused connect').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('403 (ACCESS-REFUSED)');
  });

  it('refuses an unknown vhost with connection.close 530', async () => {
    const refused = await c.raw({ vhost: 'no-such-vhost' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeRefused);
    expect((refused as HandshakeRefused).reason).toEqual({
      code: 530,
      text: 'NOT_ALLOWED - vhost no-such-vhost not found',
      classId: 10,
      methodId: 40,
    });
  });

  it('answers connection.update-secret with update-secret-ok', async () => {
    const connection = await c.connect();
    const answered = new Promise<void>((resolve) =>
      connection.once('update-secret-ok', () => resolve()),
    );
    await within(
      connection.updateSecret(Buffer.from('guest'), 'rotation test'),
      'update-secret-ok',
    );
    await within(answered, "the 'update-secret-ok' event");
    // The connection stays usable afterwards.
    await expect(
      (await connection.createChannel()).checkExchange('amq.fanout'),
    ).resolves.toBeDefined();
  });
});
