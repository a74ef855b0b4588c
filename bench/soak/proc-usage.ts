// What a process holds, read from Linux /proc: resident memory and open descriptors.
import fs from 'node:fs';

export interface ProcUsage {
  rssKb: number;
  fds: number;
}

export function procUsage(pid: number): ProcUsage {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return { rssKb: rss ? Number(rss[1]) : NaN, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}
