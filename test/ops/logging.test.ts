import { EventEmitter } from 'node:events';
import t from 'tap';
import { callLogger } from '../../gateway/logging/call-logger';
import { installLevelSignal, LogLevelError, setLevel } from '../../gateway/logging/log-level';
import { createLogger } from '../../gateway/logging/logger';
import { trafficLog } from '../../gateway/logging/traffic-log';
import { capturedLogger } from './fixtures/log-capture';

t.test('lines are JSON with level, time, name and message', async (t) => {
  const { log, capture } = capturedLogger();
  log.info({ n: 1 }, 'hello');
  t.equal(capture.lines.length, 1);
  t.match(capture.lines[0], { level: 30, name: 'holdfast', msg: 'hello', n: 1 });
  t.match(String(capture.lines[0].time), /^\d{4}-\d\d-\d\dT/);
});

t.test('secrets are redacted at the depths the gateway uses', async (t) => {
  const { log, capture } = capturedLogger();
  log.info(
    {
      token: 'sekret-T1',
      password: 'sekret-P1',
      secret: 'sekret-S1',
      config: { adminToken: 'sekret-A1', drachtio: { secret: 'sekret-S2' } },
      agent: { id: 'a', password: 'sekret-P2' },
      headers: {
        authorization: 'Bearer sekret-X1',
        'proxy-authorization': 'Digest sekret-X2',
        host: 'h',
      },
      req: { headers: { Authorization: 'Bearer sekret-X3' } },
    },
    'config',
  );
  const raw = capture.raw.join('');
  // Distinctive values: pino's ISO time may contain a short one ("T1" at 10:00–19:59 UTC).
  for (const s of [
    'sekret-T1',
    'sekret-P1',
    'sekret-S1',
    'sekret-A1',
    'sekret-S2',
    'sekret-P2',
    'sekret-X1',
    'sekret-X2',
    'sekret-X3',
  ])
    t.notOk(raw.includes(s), `${s} not in the log`);
  t.match(capture.lines[0], { agent: { id: 'a', password: '[redacted]' }, headers: { host: 'h' } });
});

t.test('a bad level is a clear error, at creation and at run time', async (t) => {
  t.throws(() => createLogger({ level: 'loud' }), LogLevelError);
  t.throws(
    () => createLogger({ level: 'loud' }),
    /log\.level: "loud" is not a log level \(use one of fatal, error/,
  );
  const { log } = capturedLogger();
  t.throws(() => setLevel(log, 'verbose'), LogLevelError);
  t.equal(log.level, 'info');
});

t.test('setLevel changes the level of existing call loggers too', async (t) => {
  const { log, capture } = capturedLogger();
  const call = callLogger(log, { callId: 'c1', agentId: 'a1' });
  call.debug('hidden');
  t.equal(setLevel(log, 'debug'), 'info');
  call.debug('shown');
  t.same(
    capture.lines.filter((l) => l.callId).map((l) => [l.msg, l.callId, l.agentId]),
    [['shown', 'c1', 'a1']],
  );
  t.match(capture.withMsg('log level changed')[0], { from: 'info', to: 'debug' });
});

t.test('the level signal cycles info → debug → trace → info and uninstalls', async (t) => {
  const { log } = capturedLogger();
  const signals = new EventEmitter();
  const hook = installLevelSignal(log, { target: signals });
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    signals.emit('SIGUSR2');
    seen.push(log.level);
  }
  t.same(seen, ['debug', 'trace', 'info']);
  hook.uninstall();
  hook.uninstall();
  t.equal(signals.listenerCount('SIGUSR2'), 0);
  signals.emit('SIGUSR2');
  t.equal(log.level, 'info');
});

// No test sends a real signal: tap's signal-exit handlers treat one as the end of the run.
t.test('the hook listens on the process by default and uninstalls cleanly', async (t) => {
  const { log } = capturedLogger();
  const before = process.listenerCount('SIGUSR2');
  const hook = installLevelSignal(log);
  t.equal(process.listenerCount('SIGUSR2'), before + 1);
  hook.uninstall();
  t.equal(process.listenerCount('SIGUSR2'), before);
  t.throws(() => installLevelSignal(log, { cycle: [] }), /at least one level/);
});

t.test('SIP and ng traffic is logged at debug only, credentials and SDP kept out', async (t) => {
  const { log, capture } = capturedLogger();
  const traffic = trafficLog(log);
  const invite =
    'INVITE sip:a@h SIP/2.0\r\nAuthorization: Digest username="a", response="abc123"\r\nCall-ID: x\r\n\r\n';
  traffic.sip('in', invite, 'udp/127.0.0.1:5060');
  traffic.ng('out', 'offer', { 'call-id': 'x', sdp: 'v=0\r\n' });
  t.equal(capture.lines.length, 0, 'nothing at info');
  setLevel(log, 'debug');
  traffic.sip('in', invite, 'udp/127.0.0.1:5060');
  traffic.ng('out', 'offer', { 'call-id': 'x', sdp: 'v=0\r\n' });
  const [sip, ng] = capture.lines.filter((l) => l.traffic);
  t.match(sip, {
    level: 20,
    traffic: 'sip',
    msg: 'INVITE sip:a@h SIP/2.0',
    direction: 'in',
    peer: 'udp/127.0.0.1:5060',
  });
  t.notOk(String(sip.message).includes('abc123'));
  t.match(String(sip.message), /Authorization: \[redacted\]\r\nCall-ID: x/);
  t.match(ng, {
    level: 20,
    traffic: 'ng',
    command: 'offer',
    data: { 'call-id': 'x', sdp: '[5 bytes]' },
  });
});
