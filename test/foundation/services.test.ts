import { describeWithServices, probe } from '../support/services';

describeWithServices(['rabbitmq', 'postgres', 'redis'], 'local services', () => {
  it.each(['rabbitmq', 'postgres', 'redis'] as const)(
    '%s accepts TCP connections',
    async (name) => {
      await expect(probe(name)).resolves.toBe(true);
    },
  );
});
