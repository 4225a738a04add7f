import { connect } from 'amqplib';
import { ConnectionManager } from '../../libs/messaging/src/connection/connection-manager';
import { Publisher } from '../../libs/messaging/src/publishing/publisher';
import { TopologyRegistry } from '../../libs/messaging/src/topology/topology-registry';
import { DelayRouter } from '../../libs/messaging/src/delay/delay-router';
import { resolveDelayLevels } from '../../libs/messaging/src/delay/delay-levels';
import { delayTopology } from '../../libs/messaging/src/delay/delay-topology';

async function main() {
  const cm = new ConnectionManager({ urls: ['amqp://guest:guest@127.0.0.1:5672'] });
  const topo = new TopologyRegistry();
  const levels = resolveDelayLevels({ prefix: 'scratch.delay', levels: 5 });
  topo.add(delayTopology(levels));
  topo.add({ queues: [{ name: 'scratch.dq' }] });
  cm.addHook({
    name: 'topology',
    order: 0,
    onConnected: async (c) => {
      console.log(await topo.declareAll(c));
    },
  });
  const pub = new Publisher(cm, {}, new DelayRouter(levels, topo, cm));
  await cm.start();
  const c = await connect('amqp://guest:guest@127.0.0.1');
  const ch = await c.createChannel();
  const t = Date.now();
  await ch.consume(
    'scratch.dq',
    (m) => {
      console.log('got after', Date.now() - t, m!.fields, m!.properties.headers);
    },
    { noAck: true },
  );
  await pub.publish('', 'scratch.dq', { x: 1 }, { delay: 300 });
  await new Promise((r) => setTimeout(r, 1000));
  await pub.close();
  await cm.close();
  for (const q of topo.list().queues!) await ch.deleteQueue(q.name);
  for (const e of topo.list().exchanges!) await ch.deleteExchange(e.name);
  await c.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
