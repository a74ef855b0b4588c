// The stack ends a dialog itself (no ACK for our 2xx within 64*T1, CANCEL crossing our
// 2xx): BYE to the peer with a Reason (RFC 3326), and the same BYE to the owning app as
// an `unsolicited` request so it can release the call.
import type { Dialog } from '../dialog/dialog';
import { newBranch } from '../message/via';
import { inDialogRequest, viaValue } from './message-factory';
import type { SipCore } from './sip-core';
import { wireMeta } from './wire-meta';
import { serializeText } from '../message/serialize';

export function endDialogWithBye(core: SipCore, dialog: Dialog, why: string): void {
  if (dialog.terminated) return;
  const bye = inDialogRequest(dialog, 'BYE', ++dialog.localCSeq);
  bye.append('Reason', `SIP;text="${why}"`);
  core.dialogs.remove(dialog);
  let target;
  try {
    target = core.dialogTarget(dialog);
  } catch (err) {
    core.logger.info({ dialog: dialog.id, err: (err as Error).message }, 'cannot send BYE');
  }
  if (target) {
    bye.prepend('Via', viaValue(target.protocol, target.local, newBranch()));
    core
      .startClient(
        bye,
        target,
        {},
        () => undefined,
        () => undefined,
      )
      .txn.start();
  }
  const owner = dialog.owner;
  if (!owner.closed) {
    const raw = serializeText(bye);
    const to = target ?? { protocol: dialog.protocol, remote: dialog.remote };
    const meta = wireMeta(
      'application',
      Buffer.byteLength(raw),
      to.protocol,
      to.remote.address,
      to.remote.port,
    );
    owner.send(['sip', ...meta, 'unsolicited', dialog.id, ''], raw);
  }
}
