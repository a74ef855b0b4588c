// drachtio-srf's types under short names for the gateway.
import type Srf from 'drachtio-srf';

export type SrfInstance = Srf;
export type SipRequest = Srf.SrfRequest;
export type SipResponse = Srf.SrfResponse;
export type SipDialog = Srf.Dialog;

/** drachtio-srf rejects createUAC/createUAS with a SipError carrying the final status. */
export function sipStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

type Handler = (req: SipRequest, res: SipResponse) => void;

/** drachtio-srf defines a route method per SIP verb at runtime; its types only declare invite. */
export function route(
  srf: SrfInstance,
  verb: 'register' | 'options' | 'info' | 'message',
  handler: Handler,
): void {
  (srf as unknown as Record<string, (h: Handler) => void>)[verb](handler);
}

/** A drachtio-srf middleware; its types declare `next` as a bare Function. */
export type Middleware = (req: SipRequest, res: SipResponse, next: () => void) => void;

export function use(srf: SrfInstance, middleware: Middleware): void {
  srf.use((req, res, next) => middleware(req, res, () => (next as () => void)()));
}
