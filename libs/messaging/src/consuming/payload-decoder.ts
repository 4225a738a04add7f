import type { ConsumeMessage } from 'amqplib';
import { BINARY_CONTENT_TYPE } from '../messaging.constants';
import { UnprocessableMessageError } from '../errors';

/**
 * JSON by default; a Buffer for application/octet-stream. Anything that does
 * not parse is unprocessable (straight to the dead-letter queue, no retries).
 */
export function decodePayload(message: ConsumeMessage): unknown {
  const contentType = message.properties.contentType as string | undefined;
  if (contentType === BINARY_CONTENT_TYPE) return message.content;
  const text = message.content.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const preview = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new UnprocessableMessageError(
      'non-json',
      `payload is not JSON (content-type ${contentType ?? 'unset'}, ${message.content.length} bytes, ` +
        `starts ${JSON.stringify(preview)}): ${(error as Error).message}`,
    );
  }
}
