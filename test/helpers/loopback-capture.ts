// What a party that is not ours (a SIPp process) receives, seen on the wire: a packet
// capture on the loopback interface (AF_PACKET, so root or CAP_NET_RAW) of the UDP datagrams
// sent from one port, decoded as PCMU RTP. No pcap tool is needed: a few lines of Python
// read the interface and hand each datagram's payload over as a hex line. Bounded: it
// stops by itself after `maxMs`, and on stop().
//
//   const cap = await captureFrom(t, rtpenginePortTowardsCustomer, 60_000);
//   ...
//   const heard = cap.samplesSince(fromMs);   // decoded, arrival order
//   cap.stop();
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { decodeG711 } from './audio-g711';
import { joinSamples } from './audio-compare';

const SNIFFER = `
import socket, struct, sys, time
port, until = int(sys.argv[1]), time.time() + float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
s.bind(("lo", 0))
s.settimeout(0.2)
print("ready", flush=True)
while time.time() < until:
    try:
        frame, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:  # lo shows each datagram twice: keep one
        continue
    ip = frame[14:]
    if len(ip) < 20 or ip[9] != 17:
        continue
    udp = ip[(ip[0] & 15) * 4:]
    if len(udp) >= 8 and struct.unpack("!H", udp[0:2])[0] == port:
        print(udp[8:].hex(), flush=True)
`;

/**
 * Why a capture cannot run here (no root nor CAP_NET_RAW, no python3), or false when it
 * can: tests that hear through it skip with that reason rather than fail.
 */
export function captureUnavailable(): string | false {
  const probe = spawnSync(
    'python3',
    ['-c', 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()'],
    { encoding: 'utf8', timeout: 5000 },
  );
  if (probe.status === 0) return false;
  return `hearing what SIPp receives needs a loopback capture (root or CAP_NET_RAW, python3): ${(
    probe.stderr ||
    probe.error?.message ||
    'failed'
  )
    .trim()
    .split('\n')
    .pop()}`;
}

export interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface Capture {
  /** PCMU payloads of the datagrams seen since `fromMs` (performance.now()), decoded. */
  samplesSince(fromMs: number): Int16Array;
  /** Datagrams seen so far. */
  readonly count: number;
  stop(): void;
}

/** Starts capturing UDP sent from 127.0.0.1:`port`; resolves once the capture is listening. */
export async function captureFrom(t: Teardownable, port: number, maxMs: number): Promise<Capture> {
  const child = spawn('python3', ['-c', SNIFFER, String(port), String(maxMs / 1000)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => child.kill('SIGKILL');
  t.teardown(stop);
  const got: { arrivalMs: number; samples: Int16Array }[] = [];
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let rest = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`packet capture failed (${code}): ${err}`)));
    child.stdout.on('data', (c: Buffer) => {
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') resolve();
        else if (line) push(Buffer.from(line, 'hex'));
      }
    });
  });
  function push(rtp: Buffer) {
    // RTP version 2, payload type 0 (PCMU); header 12 bytes + CSRCs (+ extension).
    if (rtp.length < 12 || rtp[0] >> 6 !== 2 || (rtp[1] & 0x7f) !== 0) return;
    let offset = 12 + (rtp[0] & 0x0f) * 4;
    if (rtp[0] & 0x10 && rtp.length >= offset + 4) offset += 4 + rtp.readUInt16BE(offset + 2) * 4;
    if (offset < rtp.length)
      got.push({ arrivalMs: performance.now(), samples: decodeG711(rtp.subarray(offset), 'ulaw') });
  }
  return {
    samplesSince: (fromMs) => joinSamples(got.filter((p) => p.arrivalMs >= fromMs)),
    get count() {
      return got.length;
    },
    stop,
  };
}
