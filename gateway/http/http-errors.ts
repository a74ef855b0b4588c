// JSON errors of the agent API.
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
