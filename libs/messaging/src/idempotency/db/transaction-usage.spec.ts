import { trackTransactionUsage } from './transaction-usage';

describe('trackTransactionUsage', () => {
  class FakeTx {
    readonly calls: string[] = [];
    policy = { create: (data: unknown) => this.calls.push(`create ${JSON.stringify(data)}`) };
    $queryRaw(sql: string) {
      this.calls.push(sql);
      return this;
    }
  }

  it('reports a transaction that was never touched', async () => {
    const tracked = trackTransactionUsage(new FakeTx());
    await Promise.resolve(tracked.client); // awaiting reads `then`, which is not a use
    expect(tracked.used()).toBe(false);
  });

  it('reports a model call or a raw query as a use, and keeps `this` bound', () => {
    const tx = new FakeTx();
    const tracked = trackTransactionUsage(tx);
    tracked.client.$queryRaw('SELECT 1');
    tracked.client.policy.create({ id: 1 });
    expect(tracked.used()).toBe(true);
    expect(tx.calls).toEqual(['SELECT 1', 'create {"id":1}']);
  });
});
