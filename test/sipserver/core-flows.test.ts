// The UA core end to end through drachtio-srf and raw sockets on loopback, with short
// timers: CANCEL, 481, glare 491, ACK timeout, WebSocket registration routing.
import t, { type Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import Srf from 'drachtio-srf';
import WebSocket from 'ws';
import { startSipServer, type SipServer } from '../../sipserver';
import { createServer } from 'node:net';
import { appRequest, dialogRequest } from '../helpers/sip-app';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n';

async function setup(t: Test, contacts: string[]) {
  const server = await startSipServer({
    contacts,
    port: 0,
    secret: 's',
    logger: pino({ level: 'silent' }),
    timers: { T1: 50, T2: 200, T4: 250 },
    ackTimeout: 600,
  });
  t.teardown(() => server.close());
  const srf = new Srf();
  srf.connect(server.drachtio);
  await new Promise<void>((r) => srf.on('connect', () => r()));
  t.teardown(() => srf.disconnect());
  return { server, srf };
}

function sipPort(server: SipServer, proto: string): number {
  return Number(server.sipHostports.find((h) => h.startsWith(proto + '/'))!.split(':')[1]);
}

/** A raw UDP peer that records every message's first line, CSeq and headers. */
async function udpPeer(t: Test) {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => sock.close());
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  const port = sock.address().port;
  const waitFor = async (re: RegExp, ms = 3000): Promise<string> => {
    for (let waited = 0; waited < ms; waited += 10) {
      const hit = got.find((m) => re.test(m));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(
      `no message matching ${re} within ${ms} ms; got:\n${got.map((g) => g.split('\r\n')[0]).join('\n')}`,
    );
  };
  return { sock, got, port, waitFor };
}

function req(
  method: string,
  to: number,
  from: number,
  o: { branch: string; callId: string; cseq?: number; toTag?: string; body?: string },
) {
  const body = o.body ?? '';
  return [
    `${method} sip:x@127.0.0.1:${to} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${from};branch=${o.branch}`,
    'From: <sip:a@127.0.0.1>;tag=ft1',
    `To: <sip:x@127.0.0.1>${o.toTag ? ';tag=' + o.toTag : ''}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    `Contact: <sip:a@127.0.0.1:${from}>`,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

t.test('no route → 503; BYE outside a dialog → 481', async (t) => {
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp'],
    port: 0,
    secret: 's',
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  peer.sock.send(
    req('INVITE', port, peer.port, { branch: 'z9hG4bKn1', callId: 'n1' }),
    port,
    '127.0.0.1',
  );
  t.match(await peer.waitFor(/^SIP\/2\.0 503/), /CSeq: 1 INVITE/);
  peer.sock.send(
    req('BYE', port, peer.port, { branch: 'z9hG4bKn2', callId: 'n2', toTag: 'x' }),
    port,
    '127.0.0.1',
  );
  t.match(await peer.waitFor(/^SIP\/2\.0 481/), /CSeq: 1 BYE/);
});

t.test('incoming CANCEL: 200 to CANCEL, 487 to INVITE, cancel event in the app', async (t) => {
  const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  const cancelled = new Promise<void>((resolve) =>
    srf.invite((rq, rs) => {
      rs.send(180);
      rq.on('cancel', () => resolve());
    }),
  );
  peer.sock.send(
    req('INVITE', port, peer.port, { branch: 'z9hG4bKc1', callId: 'c1' }),
    port,
    '127.0.0.1',
  );
  await peer.waitFor(/^SIP\/2\.0 180/);
  peer.sock.send(
    req('CANCEL', port, peer.port, { branch: 'z9hG4bKc1', callId: 'c1' }),
    port,
    '127.0.0.1',
  );
  await peer.waitFor(/^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 1 CANCEL/);
  const r487 = await peer.waitFor(/^SIP\/2\.0 487/);
  t.match(r487, /To: <sip:x@127\.0\.0\.1>;tag=/, '487 carries a To tag');
  await cancelled;
  t.pass('app saw the CANCEL');
});

t.test(
  'no ACK for the 200 → BYE with Reason "ACK timeout" and an unsolicited BYE to the app',
  async (t) => {
    const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
    const peer = await udpPeer(t);
    const port = sipPort(server, 'udp');
    const destroyed = new Promise<string>((resolve) =>
      srf.invite(async (rq, rs) => {
        const d = await srf.createUAS(rq, rs, { localSdp: SDP });
        d.on('destroy', (m: { get(h: string): string }) => resolve(m.get('Reason')));
      }),
    );
    peer.sock.send(
      req('INVITE', port, peer.port, { branch: 'z9hG4bKa1', callId: 'a1', body: SDP }),
      port,
      '127.0.0.1',
    );
    await peer.waitFor(/^SIP\/2\.0 200/);
    const bye = await peer.waitFor(/^BYE /);
    t.match(bye, /Reason: .*"ACK timeout"/);
    t.ok(
      peer.got.filter((m) => m.startsWith('SIP/2.0 200')).length >= 3,
      '200 retransmitted meanwhile',
    );
    t.match(await destroyed, /ACK timeout/);
  },
);

t.test('re-INVITE while the previous one is unanswered → 491', async (t) => {
  const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  srf.invite(async (rq, rs) => {
    const d = await srf.createUAS(rq, rs, { localSdp: SDP });
    d.on('modify', () => undefined); // never answers the re-INVITE
  });
  peer.sock.send(
    req('INVITE', port, peer.port, { branch: 'z9hG4bKg1', callId: 'g1', body: SDP }),
    port,
    '127.0.0.1',
  );
  const ok = await peer.waitFor(/^SIP\/2\.0 200/);
  const toTag = /^To: .*;tag=([^;\r\n]+)/m.exec(ok)![1];
  peer.sock.send(
    req('ACK', port, peer.port, { branch: 'z9hG4bKg2', callId: 'g1', toTag }),
    port,
    '127.0.0.1',
  );
  peer.sock.send(
    req('INVITE', port, peer.port, {
      branch: 'z9hG4bKg3',
      callId: 'g1',
      toTag,
      cseq: 2,
      body: SDP,
    }),
    port,
    '127.0.0.1',
  );
  await peer.waitFor(/^SIP\/2\.0 100[\s\S]*CSeq: 2 INVITE/);
  peer.sock.send(
    req('INVITE', port, peer.port, {
      branch: 'z9hG4bKg4',
      callId: 'g1',
      toTag,
      cseq: 3,
      body: SDP,
    }),
    port,
    '127.0.0.1',
  );
  t.match(await peer.waitFor(/^SIP\/2\.0 491/), /CSeq: 3 INVITE/);
});

t.test(
  'REGISTER over WebSocket routes later requests over it; a closed socket fails fast',
  async (t) => {
    const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=ws']);
    type Handler = (rq: unknown, rs: { send(status: number): void }) => void;
    (srf as unknown as { register(h: Handler): void }).register((_rq, rs) => rs.send(200));
    const agent = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${sipPort(server, 'ws')}`, 'sip');
      t.teardown(() => ws.terminate());
      await new Promise((r) => ws.on('open', r));
      ws.on('message', (data: Buffer) => {
        const s = data.toString();
        if (!/^(INVITE|INFO) /.test(s)) return;
        const h = (n: string) => new RegExp(`^${n}: .*$`, 'mi').exec(s)![0];
        const invite = s.startsWith('INVITE');
        ws.send(
          [
            'SIP/2.0 200 OK',
            ...s.match(/^Via: .*$/gim)!,
            h('From'),
            h('To') + (invite ? ';tag=agent' : ''),
            h('Call-ID'),
            h('CSeq'),
            ...(invite
              ? [
                  'Contact: <sip:agent@df7jal23ls0d.invalid;transport=ws>',
                  'Content-Type: application/sdp',
                ]
              : []),
            `Content-Length: ${invite ? SDP.length : 0}`,
            '',
            invite ? SDP : '',
          ].join('\r\n'),
        );
      });
      ws.send(
        [
          'REGISTER sip:127.0.0.1 SIP/2.0',
          'Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKr1',
          'From: <sip:agent1@example.com>;tag=r1',
          'To: <sip:agent1@example.com>',
          'Call-ID: reg1',
          'CSeq: 1 REGISTER',
          'Contact: <sip:agent@df7jal23ls0d.invalid;transport=ws>',
          'Max-Forwards: 70',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      await new Promise((r) => ws.once('message', r));
      return ws;
    };
    const ws = await agent();
    const dialog = await srf.createUAC('sip:agent1@example.com', { localSdp: SDP });
    const info = await dialogRequest(dialog, { method: 'INFO' });
    t.equal(info.status, 200, 'in-dialog request reached the agent over its WebSocket');
    ws.close();
    await new Promise((r) => ws.on('close', r));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const gone = await dialogRequest(dialog, { method: 'INFO' });
    t.equal(gone.status, 503, 'request to a closed WebSocket gets 503');
    t.ok(Date.now() - started < 1000, 'at once, not after Timer F');
    await agent(); // reconnects and registers again
    const back = await dialogRequest(dialog, { method: 'INFO' });
    t.equal(back.status, 200, 'the dialog follows the new registration');
  },
);

t.test(
  'app CANCEL: sent after the provisional, 487 reaches the app, ACK for the 487 from the stack',
  async (t) => {
    const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
    const peer = await udpPeer(t);
    const port = sipPort(server, 'udp');
    const answer = (m: string, status: string, extraTo = '') => {
      const h = (n: string) => new RegExp(`^${n}: .*$`, 'mi').exec(m)![0];
      return [
        `SIP/2.0 ${status}`,
        h('Via'),
        h('From'),
        h('To') + extraTo,
        h('Call-ID'),
        h('CSeq'),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    };
    peer.sock.on('message', (buf) => {
      const m = buf.toString();
      if (m.startsWith('INVITE '))
        peer.sock.send(answer(m, '180 Ringing', ';tag=uas1'), port, '127.0.0.1');
      if (m.startsWith('CANCEL ')) {
        peer.sock.send(answer(m, '200 OK', ';tag=uas1'), port, '127.0.0.1');
        const invite = peer.got.find((g) => g.startsWith('INVITE '))!;
        peer.sock.send(answer(invite, '487 Request Terminated', ';tag=uas1'), port, '127.0.0.1');
      }
    });
    // drachtio-srf's typings lack the progress callbacks: wrap the call once.
    type Progress = { cbProvisional(): void; cbRequest(e: unknown, r: { cancel(): void }): void };
    const createUAC = srf.createUAC as unknown as (
      u: string,
      o: object,
      p: Progress,
    ) => Promise<unknown>;
    let cancelReq: { cancel(): void } | undefined;
    const result = createUAC
      .call(
        srf,
        `sip:callee@127.0.0.1:${peer.port}`,
        { localSdp: SDP },
        {
          cbProvisional: () => cancelReq?.cancel(),
          cbRequest: (_e, r) => (cancelReq = r),
        },
      )
      .then(
        () => 'answered',
        (err: { status?: number }) => err.status,
      );
    const cancel = await peer.waitFor(/^CANCEL /);
    const invite = peer.got.find((g) => g.startsWith('INVITE '))!;
    t.equal(
      /^Via: .*$/m.exec(cancel)![0],
      /^Via: .*$/m.exec(invite)![0],
      'CANCEL has the INVITE top Via',
    );
    t.match(cancel, /CSeq: (\d+) CANCEL/);
    t.equal(await result, 487);
    const ack = await peer.waitFor(/^ACK /);
    t.match(ack, /To: .*;tag=uas1/);
  },
);

t.test('BYE while the app re-INVITE is pending: the re-INVITE is cancelled first', async (t) => {
  const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  const reply = (m: string, status: string, body = '') => {
    const h = (n: string) => new RegExp(`^${n}: .*$`, 'mi').exec(m)![0];
    const to = /;tag=/.test(h('To')) ? h('To') : h('To') + ';tag=peer';
    return [
      `SIP/2.0 ${status}`,
      h('Via'),
      h('From'),
      to,
      h('Call-ID'),
      h('CSeq'),
      `Contact: <sip:peer@127.0.0.1:${peer.port}>`,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n');
  };
  let invites = 0;
  peer.sock.on('message', (buf) => {
    const m = buf.toString();
    const send = (s: string) => peer.sock.send(s, port, '127.0.0.1');
    if (m.startsWith('INVITE '))
      send(reply(m, ++invites === 1 ? '200 OK' : '180 Ringing', invites === 1 ? SDP : ''));
    if (m.startsWith('CANCEL ') || m.startsWith('BYE ')) send(reply(m, '200 OK'));
  });
  const dialog = await srf.createUAC(`sip:peer@127.0.0.1:${peer.port}`, { localSdp: SDP });
  await peer.waitFor(/^ACK /);
  void dialog.modify(SDP).catch(() => undefined);
  await peer.waitFor(/^INVITE [\s\S]*CSeq: \d+ INVITE[\s\S]*$/m);
  for (let i = 0; i < 100 && invites < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50)); // let the 180 arrive
  await dialog.destroy();
  await peer.waitFor(/^BYE /);
  const order = peer.got.map((m) => m.split(' ')[0]).filter((w) => w === 'CANCEL' || w === 'BYE');
  t.same(order.slice(0, 2), ['CANCEL', 'BYE'], 'CANCEL goes out before the BYE');
});

t.test('CANCEL crossing the 200: 481 to the CANCEL, then BYE, app told', async (t) => {
  const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=udp']);
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  const destroyed = new Promise<void>((resolve) =>
    srf.invite(async (rq, rs) => {
      const d = await srf.createUAS(rq, rs, { localSdp: SDP });
      d.on('destroy', () => resolve());
    }),
  );
  const o = { branch: 'z9hG4bKx1', callId: 'x1' };
  peer.sock.send(req('INVITE', port, peer.port, { ...o, body: SDP }), port, '127.0.0.1');
  await peer.waitFor(/^SIP\/2\.0 200/);
  peer.sock.send(req('CANCEL', port, peer.port, o), port, '127.0.0.1');
  t.match(await peer.waitFor(/^SIP\/2\.0 481/), /CSeq: 1 CANCEL/);
  await peer.waitFor(/^BYE /);
  await destroyed;
  t.pass('app saw the BYE');
});

t.test('a connection that closes under a pending request fails it at once with 503', async (t) => {
  const { server, srf } = await setup(t, ['sip:127.0.0.1:0;transport=tcp']);
  // A TCP port nobody listens on: connection refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const started = Date.now();
  const res = await appRequest(srf, `sip:nobody@127.0.0.1:${deadPort};transport=tcp`, {
    method: 'OPTIONS',
  });
  t.equal(res.status, 503);
  t.ok(Date.now() - started < 1000, 'not after Timer F');
  t.ok(server.sipHostports.length === 1);
});

t.test('responses carry received/rport on the top Via (RFC 3261 §18.2.1, RFC 3581)', async (t) => {
  const server = await startSipServer({
    contacts: ['sip:127.0.0.1:0;transport=udp'],
    port: 0,
    secret: 's',
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const peer = await udpPeer(t);
  const port = sipPort(server, 'udp');
  const msg = req('OPTIONS', port, peer.port, { branch: 'z9hG4bKv1', callId: 'v1' }).replace(
    /^Via: .*$/m,
    'Via: SIP/2.0/UDP 10.9.9.9:5060;rport;branch=z9hG4bKv1',
  );
  peer.sock.send(msg, port, '127.0.0.1');
  const res = await peer.waitFor(/^SIP\/2\.0 503/);
  t.match(
    res,
    new RegExp(
      `^Via: SIP/2\\.0/UDP 10\\.9\\.9\\.9:5060;rport=${peer.port};branch=z9hG4bKv1;received=127\\.0\\.0\\.1\\r$`,
      'm',
    ),
  );
});
