import { ReplyCode, isConnectionLevel, replyCodeName } from './reply-code';

/**
 * A protocol-level failure the server answers with channel.close (soft codes) or
 * connection.close (hard codes), carrying the class and method that caused it.
 */
export class AmqpError extends Error {
  readonly isConnectionError: boolean;

  constructor(
    readonly code: ReplyCode,
    message: string,
    readonly classId = 0,
    readonly methodId = 0,
  ) {
    super(message);
    this.name = 'AmqpError';
    this.isConnectionError = isConnectionLevel(code);
  }

  /** Reply text in RabbitMQ's form ("NOT_FOUND - no queue 'x'"), cut to fit a shortstr. */
  get replyText(): string {
    const text = `${replyCodeName(this.code)} - ${this.message}`;
    if (Buffer.byteLength(text) <= 255) return text;
    return Buffer.from(text)
      .subarray(0, 255)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  }

  /** The same error attributed to a method (used once the method is known). */
  withMethod(classId: number, methodId: number): AmqpError {
    return new AmqpError(this.code, this.message, classId, methodId);
  }
}

/** A malformed payload: the bytes do not match what the method's field list promises. */
export function syntaxError(what: string): AmqpError {
  return new AmqpError(ReplyCode.SyntaxError, what);
}

export function frameError(what: string): AmqpError {
  return new AmqpError(ReplyCode.FrameError, what);
}
