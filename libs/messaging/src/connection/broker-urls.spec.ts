import { MessagingConfigurationError } from '../errors';
import { maskUrl, parseBrokerUrls } from './broker-urls';

describe('parseBrokerUrls', () => {
  it('accepts one URL, a comma-separated list (trimmed), or an array', () => {
    expect(parseBrokerUrls('amqp://a:5672')).toEqual(['amqp://a:5672']);
    expect(parseBrokerUrls(' amqp://a , amqps://b:5671/vh ,')).toEqual([
      'amqp://a',
      'amqps://b:5671/vh',
    ]);
    expect(parseBrokerUrls(['amqp://a', 'amqp://b'])).toEqual(['amqp://a', 'amqp://b']);
  });

  it('names the variable when unset or empty', () => {
    for (const value of [undefined, '', ' , ']) {
      expect(() => parseBrokerUrls(value)).toThrow(MessagingConfigurationError);
      expect(() => parseBrokerUrls(value)).toThrow(/^RABBITMQ_URL is not set/);
    }
    expect(() => parseBrokerUrls(undefined, 'option `urls`')).toThrow(/^option `urls` is not set/);
  });

  it('lists every bad entry with its problem and masks passwords', () => {
    const run = () =>
      parseBrokerUrls('amqp://u:pw1@ok, redis://u:pw2@r:6379, amqp://u:pw3@h:99999, ???');
    expect(run).toThrow(/RABBITMQ_URL is malformed/);
    const message = (() => {
      try {
        run();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(
      "'redis://u:***@r:6379': protocol must be amqp: or amqps:, not redis:",
    );
    expect(message).toContain("'???': not a URL");
    expect(message).toContain('amqp://u:***@h:99999');
    expect(message).toContain('tried 4 entries');
    expect(message).not.toMatch(/pw[123]/);
  });
});

describe('maskUrl', () => {
  it('hides the password, keeps the rest', () => {
    expect(maskUrl('amqp://user:secret@host:5672/vh')).toBe('amqp://user:***@host:5672/vh');
    expect(maskUrl('amqp://host')).toBe('amqp://host');
    expect(maskUrl('amqp://user:se cret@ho st')).not.toContain('se cret');
  });
});
