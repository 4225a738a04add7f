import { AccessControl, isLoopback } from './access-control';
import { resolveBrokerConfig, type BrokerConfigInput } from './broker-config';

function accessControl(input?: BrokerConfigInput): AccessControl {
  // an empty environment: SURETY_BROKER_DEFAULT_* of the machine must not leak in
  return new AccessControl(resolveBrokerConfig(input, {}));
}

const LOOPBACK = ['127.0.0.1', '127.42.0.9', '::1', '::ffff:127.0.0.1'];
const REMOTE = ['10.0.0.5', '::ffff:10.0.0.5', '192.0.2.2', 'fd00::2', '::', '0.0.0.0'];

describe('isLoopback', () => {
  it.each(LOOPBACK)('%s is loopback', (address) => {
    expect(isLoopback(address)).toBe(true);
  });

  it.each([...REMOTE, '::ffff:10.127.0.1', '127.example.com', ''])(
    '%s is not loopback',
    (address) => {
      expect(isLoopback(address)).toBe(false);
    },
  );

  it('treats an unknown address (socket already gone) as not loopback', () => {
    expect(isLoopback(undefined)).toBe(false);
  });
});

describe('AccessControl.authenticate with loopback-only users', () => {
  describe('the default guest/guest (loopback only, as RabbitMQ loopback_users)', () => {
    const access = accessControl();

    it.each(LOOPBACK)('lets guest in from %s', (address) => {
      expect(access.authenticate('guest', 'guest', address)?.name).toBe('guest');
    });

    it.each(REMOTE)('refuses guest from %s even with the right password', (address) => {
      expect(access.authenticate('guest', 'guest', address)).toBeUndefined();
    });

    it('refuses guest when the remote address is unknown', () => {
      expect(access.authenticate('guest', 'guest', undefined)).toBeUndefined();
    });

    it('refuses a wrong password from loopback', () => {
      expect(access.authenticate('guest', 'nope', '127.0.0.1')).toBeUndefined();
    });
  });

  describe('a configured user not in loopbackOnlyUsers', () => {
    const access = accessControl({
      users: [
        { name: 'guest', password: 'guest' },
        { name: 'app', password: 'app-secret' },
      ],
    });

    it.each([...LOOPBACK, ...REMOTE])('lets app in from %s', (address) => {
      expect(access.authenticate('app', 'app-secret', address)?.name).toBe('app');
    });

    it('still refuses guest from a remote address (loopbackOnlyUsers defaults to guest)', () => {
      expect(access.authenticate('guest', 'guest', '10.0.0.5')).toBeUndefined();
      expect(access.authenticate('guest', 'guest', '::ffff:10.0.0.5')).toBeUndefined();
    });
  });

  it('lets guest in from anywhere when loopbackOnlyUsers is empty', () => {
    const access = accessControl({ loopbackOnlyUsers: [] });
    expect(access.authenticate('guest', 'guest', '10.0.0.5')?.name).toBe('guest');
  });

  it('applies loopbackOnlyUsers to any user listed', () => {
    const access = accessControl({
      users: [{ name: 'ops', password: 'ops-secret' }],
      loopbackOnlyUsers: ['ops'],
    });
    expect(access.authenticate('ops', 'ops-secret', '::1')?.name).toBe('ops');
    expect(access.authenticate('ops', 'ops-secret', '10.0.0.5')).toBeUndefined();
  });
});

describe('AccessControl.vhostsOf', () => {
  it('lists only the vhosts a user has permissions on', () => {
    const access = accessControl({
      users: [
        { name: 'a', password: 'a' },
        { name: 'b', password: 'b' },
      ],
      vhosts: ['/', 'orders', 'billing'],
      permissions: [
        { user: 'a', vhost: 'orders' },
        { user: 'a', vhost: 'billing' },
      ],
    });
    expect(access.vhostsOf('a')).toEqual(['orders', 'billing']);
    expect(access.vhostsOf('b')).toEqual([]);
    expect(access.vhostsOf('nobody')).toEqual([]);
  });
});
