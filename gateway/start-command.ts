// `holdfast start [--config FILE]`: loads the configuration (the sample one when none is
// given), runs the gateway, says where it listens, and shuts down gracefully: the first
// SIGTERM/SIGINT drains (new calls refused, active calls given up to shutdown.drainMs),
// a second ends the calls at once; then everything is stopped and the exit code is 0.
// SIGUSR2 steps the log level (info → debug → trace). Signals are the process's business,
// so they are installed here and never by the gateway itself. A failed start-up is one
// line on stderr (startup-failure.ts), exit code 1, nothing left running.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from './config/load-config';
import { packageRoot } from './config/defaults';
import { installDrainSignals } from './drain/drain-signals';
import type { HoldfastConfig } from './config/config-types';
import { startGateway, type RunningGateway } from './gateway';
import { describeStartupFailure } from './startup-failure';
import { installLevelSignal } from './logging/log-level';

const STUCK_EXIT_MS = 5000;

const USAGE = `usage: holdfast start [--config FILE]

  --config FILE   YAML configuration (default: holdfast.yaml in the working directory if it
                  exists, else config/holdfast.example.yaml). See config/holdfast.example.yaml.

Environment: DRACHTIO_HOST/PORT/SECRET (external drachtio-server), RTPENGINE_HOST/PORT
(external rtpengine), HOLDFAST_ADMIN_TOKEN, HOLDFAST_AGENT_TOKEN_<ID>, HOLDFAST_LOG_LEVEL,
HOLDFAST_WEBHOOK_SECRET.

Signals: SIGTERM/SIGINT drain then stop (again: end calls now); SIGUSR2 cycles the log level.
`;

export interface StartArgs {
  config?: string;
  help: boolean;
}

export function parseStartArgs(args: string[]): StartArgs {
  const out: StartArgs = { help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--config' || a === '-c') {
      const v = args[++i];
      if (!v) throw new Error('--config needs a file name');
      out.config = v;
    } else if (a.startsWith('--config=')) out.config = a.slice('--config='.length);
    else throw new Error(`unknown option '${a}'\n\n${USAGE}`);
  }
  return out;
}

function defaultConfigFile(): string {
  const local = path.resolve('holdfast.yaml');
  return fs.existsSync(local) ? local : path.join(packageRoot(), 'config', 'holdfast.example.yaml');
}

export async function startCommand(argv: string[]): Promise<void> {
  const args = parseStartArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const file = args.config ?? defaultConfigFile();
  let config: HoldfastConfig | undefined;
  let gw: RunningGateway;
  try {
    config = loadConfigFile(file);
    gw = await startGateway(config);
  } catch (err) {
    // startGateway has released what it started; should anything still hold the event
    // loop, a failed start must not hang: say so and go.
    setTimeout(() => {
      process.stderr.write('holdfast: start-up failed and something was left running; exiting\n');
      process.exit(1);
    }, STUCK_EXIT_MS).unref();
    throw new Error(describeStartupFailure(err, config));
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`holdfast started (config ${file})`);
  out(
    `  SIP   ${gw.sipHostports.join('  ')}${config.sip.drachtio ? ` (drachtio-server ${config.sip.drachtio.host}:${config.sip.drachtio.port})` : ' (embedded SIP server)'}`,
  );
  out(`  HTTP  http://${gw.http.host}:${gw.http.port}/v1/agents  (/health /ready /metrics)`);
  out(
    `  media rtpengine ${gw.rtpengine.host}:${gw.rtpengine.port} (${gw.rtpengine.external ? 'external' : `local, pid ${gw.rtpengine.pid}`})`,
  );
  out(
    `  agents ${
      gw.agents
        .all()
        .map((a) => `${a.id}:${a.status}`)
        .join(' ') || '(none configured)'
    }`,
  );

  const levelSignal = installLevelSignal(gw.log);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    drainSignals.uninstall();
    levelSignal.uninstall();
    // A stuck shutdown must not hang the process forever.
    setTimeout(() => {
      process.stderr.write('holdfast: shutdown took over 10 s, exiting\n');
      process.exit(1);
    }, 10_000).unref();
    gw.stop().then(
      () => {
        out('holdfast stopped');
        process.exitCode = 0;
      },
      (err: Error) => {
        process.stderr.write(`holdfast: stop failed: ${err.message}\n`);
        process.exitCode = 1;
      },
    );
  };
  const drainSignals = installDrainSignals(gw.drain, { log: gw.log, onDrained: stop });
  const announce = (signal: NodeJS.Signals) =>
    out(`holdfast: ${signal}, draining (${gw.calls.size} call(s) up; again to end them now)`);
  process.once('SIGTERM', announce);
  process.once('SIGINT', announce);
}
