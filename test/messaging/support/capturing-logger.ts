import type { LoggerService } from '@nestjs/common';

/**
 * Keeps what the app logs so tests can assert on the errors it reports;
 * echoes to the console only when SURETY_TEST_LOGS is set.
 */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  private readonly echo = Boolean(process.env.SURETY_TEST_LOGS);

  log(message: unknown, context?: string) {
    this.keep('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.keep('error', message, rest[rest.length - 1] as string | undefined);
  }
  warn(message: unknown, context?: string) {
    this.keep('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.keep('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.keep('verbose', message, context);
  }

  errors(): string[] {
    return this.lines.filter((l) => l.level === 'error').map((l) => l.message);
  }

  warnings(): string[] {
    return this.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  }

  private keep(level: string, message: unknown, context?: string) {
    const text = String(message);
    this.lines.push({ level, message: text, context });
    if (this.echo) console.log(`[${level}] ${context ?? ''} ${text}`);
  }
}
