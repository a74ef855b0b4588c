// `npm run fuzz [-- --seed N --count N --target sipserver|gateway|both --transports udp,tcp,ws
// --rate N --examples]`: a larger fuzz campaign on demand (20,000 messages per transport by
// default). Prints the seed first; every failure with the message that caused it (seed,
// transport, index, mutations, bytes); exits 1 if there was any.
import type { CampaignReport, FuzzTarget } from '../test/fuzz/fuzz-campaign';
import {
  describeFailure,
  distinctFailures,
  pinpoint,
  runCampaign,
} from '../test/fuzz/fuzz-campaign';
import { startGatewayTarget } from '../test/fuzz/gateway-target';
import { startSipserverTarget } from '../test/fuzz/sipserver-target';
import type { FuzzProto } from '../test/fuzz/templates';

interface CliOptions {
  seed: number;
  count: number;
  targets: Array<'sipserver' | 'gateway'>;
  transports: FuzzProto[];
  rate: number;
  examples: boolean;
}

const USAGE =
  'usage: npm run fuzz -- [--seed N] [--count N per transport] [--target sipserver|gateway|both]\n' +
  '                       [--transports udp,tcp,ws] [--rate messages/s] [--examples]\n';

export function parseFuzzArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    seed: Math.floor(Math.random() * 2 ** 31),
    count: 20_000,
    targets: ['sipserver', 'gateway'],
    transports: ['udp', 'tcp', 'ws'],
    rate: 300,
    examples: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} needs a whole number`);
      return v;
    };
    if (flag === '--seed') o.seed = num();
    else if (flag === '--count') o.count = num();
    else if (flag === '--rate') o.rate = Math.max(1, num());
    else if (flag === '--examples') o.examples = true;
    else if (flag === '--target') {
      const t = value();
      if (t === 'both') o.targets = ['sipserver', 'gateway'];
      else if (t === 'sipserver' || t === 'gateway') o.targets = [t];
      else throw new Error(`--target must be sipserver, gateway or both, not '${t}'`);
    } else if (flag === '--transports') {
      const list = value().split(',');
      for (const p of list) {
        if (p !== 'udp' && p !== 'tcp' && p !== 'ws') throw new Error(`unknown transport '${p}'`);
      }
      o.transports = list as FuzzProto[];
    } else throw new Error(`unknown option '${flag}'`);
  }
  return o;
}

async function main(): Promise<number> {
  let o: CliOptions;
  try {
    o = parseFuzzArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  console.log(
    `fuzz seed ${o.seed}: ${o.count} messages per transport (${o.transports.join(', ')})`,
  );
  let failed = 0;
  for (const name of o.targets) {
    const teardowns: Array<() => unknown> = [];
    const scope = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
    try {
      const target: FuzzTarget & { finish?: () => Promise<void> } =
        name === 'sipserver' ? await startSipserverTarget(scope) : await startGatewayTarget(scope);
      const report = await runCampaign(target, {
        seed: o.seed,
        count: o.count,
        transports: o.transports,
        rate: o.rate,
        inviteHangMs: name === 'gateway' ? 10_000 : 8000,
        log: (line) => console.log(`  ${name} ${line}`),
      });
      const failures = distinctFailures(report.failures);
      for (const f of failures.slice(0, 20)) await pinpoint(target, f);
      if (target.finish) {
        await target
          .finish()
          .catch((err: Error) =>
            failures.push({ problem: `after the campaign: ${err.message}`, window: [] }),
          );
      }
      printReport(name, report, o.examples);
      for (const f of failures) console.log(`FAIL ${name}: ${describeFailure(o.seed, f)}`);
      failed += failures.length;
    } catch (err) {
      console.log(`FAIL ${name}: ${(err as Error).stack ?? String(err)}`);
      failed++;
    } finally {
      for (const fn of teardowns.reverse()) await fn();
    }
  }
  console.log(failed ? `${failed} failure(s), seed ${o.seed}` : `no failures, seed ${o.seed}`);
  return failed ? 1 : 0;
}

function printReport(name: string, r: CampaignReport, examples: boolean): void {
  console.log(
    `${name}: ${(r.durationMs / 1000).toFixed(1)} s, sent ${JSON.stringify(r.sent)}, ` +
      `${r.goodCalls} good calls/checks, reconnects ${JSON.stringify(r.reconnects)}`,
  );
  console.log(`${name}: responses ${JSON.stringify(r.statuses)}`);
  if (!examples) return;
  for (const [status, m] of Object.entries(r.examples)) {
    console.log(
      `  ${status} first for ${m.proto} #${m.index} (${m.template}; ${m.applied.join(', ')})`,
    );
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
}
