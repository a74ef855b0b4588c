// `npm run soak`: hours of a contact centre's day in minutes, through a real gateway, with
// faults; prints progress, a table of end checks and, last, one JSON line; exit code 1 if
// any check fails. See bench/soak/ and the README's Soak section.
//
//   npm run soak -- [--calls 10000] [--minutes 30] [--rate 6] [--concurrency 40] …
import os from 'node:os';
import { checkTable } from './soak/end-checks';
import { runSoak } from './soak/run-soak';
import { parseSoakArgs } from './soak/soak-options';

async function main(): Promise<void> {
  const options = parseSoakArgs(process.argv.slice(2));
  const say = (line: string) => console.log(line);
  say(
    `soak: ${JSON.stringify(options)}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const report = await runSoak(options, say);
  say('');
  say(checkTable(report.checks));
  say(
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(JSON.stringify({ ...report.summary, loadAverage: os.loadavg() }));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((err: Error) => {
  console.error(`soak failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
