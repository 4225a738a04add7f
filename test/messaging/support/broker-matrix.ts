import { brokerTargets, type BrokerTarget, type BrokerUnderTest } from '../../support/brokers';
import { describeWithServices } from '../../support/services';

/**
 * Declares `body` once per broker target (RabbitMQ, and the embedded broker
 * when it is ready), with the broker started before and stopped after.
 */
export function describeEachBroker(
  title: string,
  body: (broker: () => BrokerUnderTest, target: BrokerTarget) => void,
): void {
  for (const target of brokerTargets()) {
    describeWithServices(target.needs, `${title} [${target.name}]`, () => {
      let broker: BrokerUnderTest | undefined;
      beforeAll(async () => {
        broker = await target.start();
      });
      afterAll(async () => {
        await broker?.stop();
      });
      body(() => {
        if (!broker) throw new Error('broker not started');
        return broker;
      }, target);
    });
  }
}
