// A BYE in a dialog this app did not create: a dead instance's, by the SIP server's
// dialog id (drachtio's stackDialogId). The embedded SIP server takes in-dialog requests
// for any dialog it holds from any connected app; resolves once the BYE went out.
import type Srf from 'drachtio-srf';

type RawRequest = (
  uri: string,
  opts: { method: string; stackDialogId: string; headers: Record<string, string> },
  cb: (err: Error | undefined) => void,
) => void;

export function byeInDialog(srf: Srf, stackDialogId: string): Promise<void> {
  const request = srf.request as unknown as RawRequest;
  return new Promise((resolve, reject) => {
    // The server builds the request from its dialog; the URI is drachtio's placeholder.
    request.call(
      srf,
      'sip:placeholder',
      {
        method: 'BYE',
        stackDialogId,
        headers: { Reason: 'SIP;cause=503;text="gateway instance lost"' },
      },
      (err) => (err ? reject(err) : resolve()),
    );
  });
}
