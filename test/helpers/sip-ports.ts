// Free loopback ports for child processes that insist on being told a port (SIPp).
// The kernel picks an ephemeral port; we check it is free for both UDP and TCP (SIPp may
// listen on either) and, when asked, that port+2 is free too (SIPp's audio/video RTP pair).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

function udpFree(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(null));
    sock.bind(port, HOST, () => {
      const bound = sock.address().port;
      sock.close(() => resolve(bound));
    });
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** Whether we could bind `port` on loopback right now (UDP, or TCP when `tcp`). */
export async function portIsFree(port: number, tcp: boolean): Promise<boolean> {
  return tcp ? tcpFree(port) : (await udpFree(port)) !== null;
}

// Ports handed out by this process recently: another SIPp we start a moment later must not
// get the same one before the first has bound it.
const recentlyGiven = new Set<number>();

function remember(port: number): void {
  recentlyGiven.add(port);
  setTimeout(() => recentlyGiven.delete(port), 10_000).unref();
}

/** A loopback port free for UDP and TCP. With `pairWithPlus2`, port+2 is free as well. */
export async function freePort(pairWithPlus2 = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await udpFree(0);
    if (port === null || recentlyGiven.has(port) || port > 65_000) continue;
    if (pairWithPlus2 && port % 2 !== 0) continue;
    if (!(await tcpFree(port))) continue;
    if (pairWithPlus2 && (recentlyGiven.has(port + 2) || (await udpFree(port + 2)) === null)) {
      continue;
    }
    remember(port);
    if (pairWithPlus2) remember(port + 2);
    return port;
  }
  throw new Error('no free loopback port found after 50 attempts');
}
