// A fuzzer writes hosts and addresses at random: a mutated Contact or SDP could send the
// stack (or the app) to a host off this machine, or to a DNS lookup. In the fuzzing process
// every name lookup other than localhost and every TCP connection to a non-loopback address
// is refused. (UDP from our loopback-bound sockets, and rtpengine's on 127.0.0.1, cannot
// leave the machine anyway: the kernel refuses loopback sources on other interfaces.)
import dns from 'node:dns';
import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;
let installed = false;

export function installNetworkGuard(): void {
  if (installed) return;
  installed = true;
  const lookup = dns.lookup;
  const guarded = function (this: unknown, host: string, ...rest: unknown[]) {
    const cb = rest[rest.length - 1] as (err: Error | null) => void;
    if (typeof host === 'string' && (LOOPBACK.test(host) || net.isIP(host))) {
      return (lookup as (...a: unknown[]) => void).call(this, host, ...rest);
    }
    const err = Object.assign(new Error(`fuzz network guard: no lookup of '${host}'`), {
      code: 'ENOTFOUND',
    });
    process.nextTick(cb, err);
  };
  (dns as { lookup: unknown }).lookup = guarded;
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const opts = args[0];
    const host =
      typeof opts === 'object' && opts !== null && 'host' in opts
        ? String((opts as { host?: string }).host ?? 'localhost')
        : typeof args[1] === 'string'
          ? args[1]
          : 'localhost';
    const isPath = typeof opts === 'object' && opts !== null && 'path' in opts;
    if (!isPath && net.isIP(host) && !LOOPBACK.test(host)) {
      process.nextTick(() =>
        this.destroy(new Error(`fuzz network guard: no connection to ${host}`)),
      );
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
}
