// The load bench's baseline: the least a B2BUA on the same stack does — drachtio-srf, media
// anchored in rtpengine (one offer, one answer, one delete per call, the same RTP flags as
// holdfast's rtp legs), agents taken round-robin. No watchdog, no policy, no queue, no
// prompts, no records. Forked like gateway-process.ts (argv[2]: a JSON job with the agent
// URIs); DRACHTIO_* and RTPENGINE_* say where the SIP server and rtpengine are.
import fs from 'node:fs';
import Srf from 'drachtio-srf';
import { NgClient } from '../../media/ng-client';
import { profileFlags } from '../../media/leg-profile';
import type { FromGateway } from './gateway-process';

export interface BaselineJob {
  agentUris: string[];
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set`);
  return v;
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as BaselineJob;
  if (!job.agentUris.length) throw new Error('the baseline needs at least one agent URI');
  const ng = new NgClient({ host: env('RTPENGINE_HOST'), port: Number(env('RTPENGINE_PORT')) });
  const flags = profileFlags('rtp');
  const srf = new Srf();
  let next = 0;

  srf.invite(async (req, res) => {
    const callId = req.get('Call-ID');
    const fromTag = String(req.getParsedHeader('From').params?.tag ?? '');
    const base = { 'call-id': callId, 'from-tag': fromTag };
    const release = () => void ng.request('delete', { ...base, 'delete delay': 0 }).catch(() => {});
    try {
      const offer = await ng.request('offer', { ...flags, ...base, sdp: req.body });
      const uri = job.agentUris[next++ % job.agentUris.length];
      const { uas, uac } = await srf.createB2BUA(req, res, uri, {
        localSdpB: offer.sdp as string,
        localSdpA: async (sdp, agentRes) => {
          const toTag = String(agentRes.getParsedHeader('To').params?.tag ?? '');
          const answer = await ng.request('answer', { ...flags, ...base, 'to-tag': toTag, sdp });
          return answer.sdp as string;
        },
      });
      let ended = false;
      const end = (other: Srf.Dialog) => () => {
        if (ended) return;
        ended = true;
        other.destroy();
        release();
      };
      uas.on('destroy', end(uac));
      uac.on('destroy', end(uas));
    } catch {
      // The agent refused, or rtpengine did: createB2BUA has answered the customer already
      // (or nothing was sent yet, then 500).
      release();
      try {
        res.send(500);
      } catch {
        // already answered
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
    srf.on('error', (err: Error) => reject(err));
    srf.connect({
      host: env('DRACHTIO_HOST'),
      port: Number(env('DRACHTIO_PORT')),
      secret: env('DRACHTIO_SECRET'),
    });
  });
  process.on('message', (msg: { stop?: boolean }) => {
    if (!msg.stop) return;
    srf.disconnect();
    ng.close();
    process.disconnect();
  });
  process.send!({ ready: true } satisfies FromGateway);
}

main().catch((err: Error) => {
  process.send?.({ failed: err.stack ?? err.message } satisfies FromGateway);
  process.exitCode = 1;
  process.disconnect?.();
});
