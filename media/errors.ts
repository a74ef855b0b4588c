// Errors of the media layer. Each says what failed, where, and how to fix it when a user
// can fix it; the SIP layer maps them to responses (UnsupportedSdpError → 488).

/** rtpengine refused a request, or did not answer in time, or the client was closed. */
export class RtpengineError extends Error {
  override name = 'RtpengineError';
  constructor(
    message: string,
    /** The ng command, e.g. 'offer'. */
    readonly command: string,
    /** The call-id of the request, when it had one. */
    readonly callId: string | undefined,
    /** rtpengine's `error-reason`, or undefined for timeouts and transport failures. */
    readonly reason: string | undefined,
    readonly kind: 'refused' | 'timeout' | 'transport' | 'closed' | 'overloaded',
  ) {
    super(message);
  }

  /** rtpengine no longer knows the call (deleted, or timed out inside rtpengine). */
  get unknownCall(): boolean {
    return this.reason !== undefined && /unknown call-?id/i.test(this.reason);
  }
}

/** The SDP cannot be handled (unparseable, no usable audio, unsupported transport). → 488 */
export class UnsupportedSdpError extends Error {
  override name = 'UnsupportedSdpError';
  constructor(
    message: string,
    readonly leg: string,
    cause?: Error,
  ) {
    super(message, { cause });
  }

  /** Why, without the call and leg the message starts with: for a SIP Warning header. */
  get reason(): string {
    return this.message.replace(/^(call [^,]*, )?leg [^:]*: /, '');
  }
}

/** rtpengine could not be started or reached. */
export class RtpengineUnavailableError extends Error {
  override name = 'RtpengineUnavailableError';
}

/** A prompt file is missing or not playable. */
export class PromptFileError extends Error {
  override name = 'PromptFileError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** A method was called on a closed object. */
export class ClosedError extends Error {
  override name = 'ClosedError';
}
