// A media port block of its own for each private rtpengine on this host. rtpengine binds
// its media ports as calls need them and lets two processes bind the same one (measured:
// two rtpengines both on 127.0.0.1:41000), and then one call's RTP reaches another call's
// parties. So blocks are claimed before launch, across processes: the region is cut into
// slots, a block is a run of consecutive slots, and each slot is a lock file holding its
// owner's pid and its rtpengine's (the slots of an owner that died are free again only once
// its rtpengine is gone too: an orphaned rtpengine still binds those ports).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PortRange } from './port-range';

const LOWEST = 16384;
const HIGHEST = 32767; // the kernel's ephemeral ports start above
const SLOT = 128;
const SLOTS = Math.floor((HIGHEST - LOWEST + 1) / SLOT);

export interface PortBlockClaim {
  range: PortRange;
  /** The rtpengine using the block (it may outlive its owner): named in the lock files. */
  heldAlsoBy(pid: number): void;
  release(): void;
}

/** Claims `count` consecutive ports (in whole slots); throws when none are free. */
export function claimPortBlock(count: number, dir = defaultDir()): PortBlockClaim {
  fs.mkdirSync(dir, { recursive: true });
  const need = Math.max(1, Math.ceil(count / SLOT));
  // First fit from the bottom: blocks of every size pack without gaps (random starts left
  // no run long enough for a big block with half the slots free). Claims made together
  // contend only for a lock file each: the loser moves on to the next start.
  for (let start = 0; start + need <= SLOTS; start++) {
    const files = [...Array(need).keys()].map((i) => slotFile(dir, start + i));
    const taken: string[] = [];
    for (const file of files) {
      if (!take(file)) break;
      taken.push(file);
    }
    if (taken.length < need) {
      for (const file of taken) fs.rmSync(file, { force: true });
      continue;
    }
    let released = false;
    const min = LOWEST + start * SLOT;
    return {
      range: { min, max: min + count - 1 }, // within its slots
      heldAlsoBy: (pid) => {
        if (released) return;
        for (const file of files) fs.writeFileSync(file, `${process.pid} ${pid}`);
      },
      release: () => {
        if (released) return;
        released = true;
        for (const file of files) fs.rmSync(file, { force: true });
      },
    };
  }
  throw new Error(
    `no free media port block of ${count} ports in ${LOWEST}-${HIGHEST}: too many private ` +
      'rtpengines on this host (set media.portBlock smaller, or media.ports per instance)',
  );
}

function slotFile(dir: string, slot: number): string {
  return path.join(dir, `${LOWEST + slot * SLOT}.lock`);
}

function take(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    let holders: number[];
    try {
      holders = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    } catch {
      return false; // released meanwhile: leave it to the next round
    }
    if (!holders[0] || holders.includes(process.pid) || holders.some(alive)) return false;
    // A stale claim (its process is gone): ours now.
    fs.writeFileSync(file, String(process.pid));
    return fs.readFileSync(file, 'utf8').trim() === String(process.pid); // lost a race?
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
