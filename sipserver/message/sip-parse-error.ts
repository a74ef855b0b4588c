/** A message we cannot accept; `status` is the response to send when one is possible. */
export class SipParseError extends Error {
  constructor(
    message: string,
    public readonly status = 400,
  ) {
    super(message);
    this.name = 'SipParseError';
  }
}
