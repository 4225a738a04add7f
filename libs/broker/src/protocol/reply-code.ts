/** AMQP reply codes (spec constants), as sent in connection.close / channel.close / basic.return. */
export enum ReplyCode {
  ReplySuccess = 200,
  ContentTooLarge = 311,
  NoRoute = 312,
  NoConsumers = 313,
  ConnectionForced = 320,
  InvalidPath = 402,
  AccessRefused = 403,
  NotFound = 404,
  ResourceLocked = 405,
  PreconditionFailed = 406,
  FrameError = 501,
  SyntaxError = 502,
  CommandInvalid = 503,
  ChannelError = 504,
  UnexpectedFrame = 505,
  ResourceError = 506,
  NotAllowed = 530,
  NotImplemented = 540,
  InternalError = 541,
}

/** Soft errors close only the channel; every other error code closes the connection. */
const CHANNEL_LEVEL = new Set<number>([
  ReplyCode.ContentTooLarge,
  ReplyCode.NoRoute,
  ReplyCode.NoConsumers,
  ReplyCode.AccessRefused,
  ReplyCode.NotFound,
  ReplyCode.ResourceLocked,
  ReplyCode.PreconditionFailed,
]);

export function isConnectionLevel(code: ReplyCode): boolean {
  return !CHANNEL_LEVEL.has(code);
}

/** The spec's constant name, e.g. 406 -> "PRECONDITION_FAILED" (RabbitMQ prefixes reply texts with it). */
export function replyCodeName(code: ReplyCode): string {
  const name = ReplyCode[code] as string | undefined;
  if (name === undefined) return String(code);
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}
