/**
 * A request the management API refuses, with RabbitMQ's status, error and reason
 * (its management plugin answers 401 both for bad credentials and for a user
 * that may not do what it asked; only the former carries WWW-Authenticate).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    readonly challenge = false,
  ) {
    super(reason);
  }
}

/** No or wrong credentials (or a loopback-only user from elsewhere). */
export function notAuthenticated(): HttpError {
  return new HttpError(401, 'not_authorized', 'Not_Authorized', true);
}

/** Known user, refused: RabbitMQ's not_authorised with the reason it gives. */
export function notAuthorised(reason: string): HttpError {
  return new HttpError(401, 'not_authorised', reason);
}

export function notFound(): HttpError {
  return new HttpError(404, 'Object Not Found', 'Not Found');
}
