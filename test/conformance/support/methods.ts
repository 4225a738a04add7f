import { ArgWriter, type Field, bodyFrame, contentHeaderFrame, methodFrame } from './wire';

/**
 * Class and method ids the raw-frame tests use, copied by hand from the
 * AMQP 0-9-1 spec table (RabbitMQ's amqp-rabbitmq-0.9.1.json).
 */
export const Method = {
  connectionStart: [10, 10],
  connectionStartOk: [10, 11],
  connectionSecure: [10, 20],
  connectionTune: [10, 30],
  connectionTuneOk: [10, 31],
  connectionOpen: [10, 40],
  connectionOpenOk: [10, 41],
  connectionClose: [10, 50],
  connectionCloseOk: [10, 51],
  connectionUpdateSecret: [10, 70],
  connectionUpdateSecretOk: [10, 71],
  channelOpen: [20, 10],
  channelOpenOk: [20, 11],
  channelClose: [20, 40],
  channelCloseOk: [20, 41],
  exchangeDeclare: [40, 10],
  exchangeDeclareOk: [40, 11],
  queueDeclare: [50, 10],
  queueDeclareOk: [50, 11],
  queueBind: [50, 20],
  queuePurge: [50, 30],
  queueDelete: [50, 40],
  basicQos: [60, 10],
  basicQosOk: [60, 11],
  basicConsume: [60, 20],
  basicConsumeOk: [60, 21],
  basicPublish: [60, 40],
  basicGet: [60, 70],
  basicGetOk: [60, 71],
  basicGetEmpty: [60, 72],
  basicReturn: [60, 50],
  basicDeliver: [60, 60],
  basicAck: [60, 80],
  basicReject: [60, 90],
  basicNack: [60, 120],
  txSelect: [90, 10],
  txSelectOk: [90, 11],
  txCommit: [90, 20],
  txCommitOk: [90, 21],
  txRollback: [90, 30],
  txRollbackOk: [90, 31],
  confirmSelect: [85, 10],
  confirmSelectOk: [85, 11],
} as const satisfies Record<string, readonly [number, number]>;

export type MethodId = (typeof Method)[keyof typeof Method];

export function channelOpen(channel: number): Buffer {
  return methodFrame(channel, ...Method.channelOpen, new ArgWriter().shortstr('').build());
}

export function channelClose(channel: number, code = 200, text = 'bye'): Buffer {
  const args = new ArgWriter().short(code).shortstr(text).short(0).short(0).build();
  return methodFrame(channel, ...Method.channelClose, args);
}

export function channelCloseOk(channel: number): Buffer {
  return methodFrame(channel, ...Method.channelCloseOk);
}

export function connectionCloseOk(): Buffer {
  return methodFrame(0, ...Method.connectionCloseOk);
}

export function queueDeclare(
  channel: number,
  queue: string,
  flags: {
    passive?: boolean;
    durable?: boolean;
    exclusive?: boolean;
    autoDelete?: boolean;
    nowait?: boolean;
  } = {},
  args: Record<string, Field> = {},
): Buffer {
  const w = new ArgWriter()
    .short(0)
    .shortstr(queue)
    .bit(!!flags.passive)
    .bit(!!flags.durable)
    .bit(!!flags.exclusive)
    .bit(!!flags.autoDelete)
    .bit(!!flags.nowait)
    .table(args);
  return methodFrame(channel, ...Method.queueDeclare, w.build());
}

export function queueBind(
  channel: number,
  queue: string,
  exchange: string,
  routingKey: string,
): Buffer {
  const w = new ArgWriter()
    .short(0)
    .shortstr(queue)
    .shortstr(exchange)
    .shortstr(routingKey)
    .bit(false)
    .table();
  return methodFrame(channel, ...Method.queueBind, w.build());
}

export function queuePurge(channel: number, queue: string): Buffer {
  return methodFrame(
    channel,
    ...Method.queuePurge,
    new ArgWriter().short(0).shortstr(queue).bit(false).build(),
  );
}

export function queueDelete(channel: number, queue: string): Buffer {
  const w = new ArgWriter().short(0).shortstr(queue).bit(false).bit(false).bit(false);
  return methodFrame(channel, ...Method.queueDelete, w.build());
}

export function exchangeDeclare(
  channel: number,
  exchange: string,
  type: string,
  args: Record<string, Field> = {},
): Buffer {
  const w = new ArgWriter()
    .short(0)
    .shortstr(exchange)
    .shortstr(type)
    .bit(false) // passive
    .bit(false) // durable
    .bit(true) // auto-delete
    .bit(false) // internal
    .bit(false) // nowait
    .table(args);
  return methodFrame(channel, ...Method.exchangeDeclare, w.build());
}

export function basicPublish(
  channel: number,
  exchange: string,
  routingKey: string,
  flags: { mandatory?: boolean; immediate?: boolean } = {},
): Buffer {
  const w = new ArgWriter()
    .short(0)
    .shortstr(exchange)
    .shortstr(routingKey)
    .bit(!!flags.mandatory)
    .bit(!!flags.immediate);
  return methodFrame(channel, ...Method.basicPublish, w.build());
}

export function basicGet(channel: number, queue: string, noAck = true): Buffer {
  return methodFrame(
    channel,
    ...Method.basicGet,
    new ArgWriter().short(0).shortstr(queue).bit(noAck).build(),
  );
}

export function basicConsume(
  channel: number,
  queue: string,
  consumerTag = '',
  noAck = true,
): Buffer {
  const w = new ArgWriter()
    .short(0)
    .shortstr(queue)
    .shortstr(consumerTag)
    .bit(false) // no-local
    .bit(noAck)
    .bit(false) // exclusive
    .bit(false) // nowait
    .table();
  return methodFrame(channel, ...Method.basicConsume, w.build());
}

export function basicQos(
  channel: number,
  prefetchSize: number,
  prefetchCount: number,
  global = false,
): Buffer {
  const w = new ArgWriter().long(prefetchSize).short(prefetchCount).bit(global);
  return methodFrame(channel, ...Method.basicQos, w.build());
}

export function confirmSelect(channel: number): Buffer {
  return methodFrame(channel, ...Method.confirmSelect, new ArgWriter().bit(false).build());
}

/** basic.publish plus its content header and one body frame (no properties). */
export function publishFrames(
  channel: number,
  exchange: string,
  routingKey: string,
  body: string | Buffer,
  flags: { mandatory?: boolean; immediate?: boolean } = {},
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const frames = [
    basicPublish(channel, exchange, routingKey, flags),
    contentHeaderFrame(channel, bytes.length),
  ];
  if (bytes.length > 0) frames.push(bodyFrame(channel, bytes));
  return Buffer.concat(frames);
}

export function basicAck(channel: number, deliveryTag: number, multiple = false): Buffer {
  return methodFrame(
    channel,
    ...Method.basicAck,
    new ArgWriter().longlong(deliveryTag).bit(multiple).build(),
  );
}

export function basicReject(channel: number, deliveryTag: number, requeue: boolean): Buffer {
  return methodFrame(
    channel,
    ...Method.basicReject,
    new ArgWriter().longlong(deliveryTag).bit(requeue).build(),
  );
}

export function txSelect(channel: number): Buffer {
  return methodFrame(channel, ...Method.txSelect);
}

export function txCommit(channel: number): Buffer {
  return methodFrame(channel, ...Method.txCommit);
}

export function txRollback(channel: number): Buffer {
  return methodFrame(channel, ...Method.txRollback);
}
