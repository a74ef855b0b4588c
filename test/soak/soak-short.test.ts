// The soak (bench/soak/), CI-sized: about 150 calls in about a minute through a gateway
// process, `holdfast sipserver` and the gateway's private rtpengine, with every per-call
// fault, one rtpengine SIGKILL and one SIP server restart, and all of the soak's end checks
// (records, nothing left behind, memory and descriptors, agents back). `npm run soak` is
// the full-size run.
import t from 'tap';
import { runSoak } from '../../bench/soak/run-soak';
import { DEFAULTS, resolveDefaults } from '../../bench/soak/soak-options';

t.test('a short soak passes every end check', async (t) => {
  const options = resolveDefaults({
    ...DEFAULTS,
    calls: 150,
    minutes: 1,
    rate: 4,
    concurrency: 20,
    // Shared CI machines are loaded: a few customers may miss the moment of the check.
    heardShare: 0.8,
    rtpengineKills: 1,
    sipserverRestarts: 1,
    warmupCalls: 20,
    quiet: true,
  });
  const lines: string[] = [];
  const report = await runSoak(options, (line) => lines.push(line));
  for (const c of report.checks) t.ok(c.ok, `${c.name}: ${c.value} (want ${c.want})`);
  if (!report.ok) t.comment(`${lines.join('\n')}\n${JSON.stringify(report.summary)}`);
});
