// A media port block of its own for each private rtpengine on this host. rtpengine binds
// its media ports as calls need them and lets two processes bind the same one (measured:
// two rtpengines both on 127.0.0.1:41000), and then one call's RTP reaches another call's
// parties. So blocks are claimed before launch, across processes, with a lock file per
// block (holding the owner's pid; a dead owner's claim is taken over).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PortRange } from './port-range';

const LOWEST = 16384;
const HIGHEST = 32767; // the kernel's ephemeral ports start above

export interface PortBlockClaim {
  range: PortRange;
  release(): void;
}

export function claimPortBlock(count: number, dir = defaultDir()): PortBlockClaim {
  fs.mkdirSync(dir, { recursive: true });
  const blocks = Math.max(1, Math.floor((HIGHEST - LOWEST + 1) / count));
  const order = [...Array(blocks).keys()].sort(() => Math.random() - 0.5);
  for (const i of order) {
    const min = LOWEST + i * count;
    const file = path.join(dir, `${min}-${count}.lock`);
    if (!take(file)) continue;
    let released = false;
    return {
      range: { min, max: min + count - 1 },
      release: () => {
        if (released) return;
        released = true;
        fs.rmSync(file, { force: true });
      },
    };
  }
  throw new Error(
    `no free media port block of ${count} in ${LOWEST}-${HIGHEST}: too many private ` +
      'rtpengines on this host (set media.ports per instance)',
  );
}

function take(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    if (owner && owner !== process.pid && alive(owner)) return false;
    // A stale claim (its process is gone): ours now.
    fs.writeFileSync(file, String(process.pid));
    return true;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function defaultDir(): string {
  return path.join(os.tmpdir(), 'holdfast-port-blocks');
}
