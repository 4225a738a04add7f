import { AmqpError, ReplyCode, readTableBody, type FieldTable } from '../protocol';
import { unattributed } from './unattributed';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export const MECHANISMS = ['PLAIN', 'AMQPLAIN'] as const;

/**
 * Reads the start-ok response for a SASL mechanism: PLAIN is
 * "authzid\0user\0password"; AMQPLAIN is a field table body (no length prefix)
 * with LOGIN and PASSWORD.
 */
export function parseSaslResponse(mechanism: string, response: Buffer): Credentials {
  if (mechanism === 'PLAIN') {
    const parts = response.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw refused(mechanism);
    return { user: parts[1]!, password: parts[2]! };
  }
  if (mechanism === 'AMQPLAIN') {
    let table: FieldTable;
    try {
      table = readTableBody(response, 0, response.length, 0);
    } catch {
      throw refused(mechanism);
    }
    const login = table['LOGIN'];
    const password = table['PASSWORD'];
    if (login === undefined || password === undefined) throw refused(mechanism);
    return { user: String(asText(login.value)), password: String(asText(password.value)) };
  }
  throw new AmqpError(ReplyCode.CommandInvalid, `unknown authentication mechanism '${mechanism}'`);
}

function asText(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}

export function refused(mechanism: string): AmqpError {
  // RabbitMQ reports a refused login with class and method 0
  return unattributed(
    new AmqpError(
      ReplyCode.AccessRefused,
      `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`,
    ),
  );
}
