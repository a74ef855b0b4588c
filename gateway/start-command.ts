// `holdfast start [--config FILE]`: loads the configuration (the sample one when none is
// given), runs the gateway, says where it listens, and stops cleanly on SIGTERM/SIGINT
// (calls ended, rtpengine stopped, exit code 0).
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from './config/load-config';
import { packageRoot } from './config/defaults';
import { startGateway } from './gateway';

const USAGE = `usage: holdfast start [--config FILE]

  --config FILE   YAML configuration (default: holdfast.yaml in the working directory if it
                  exists, else config/holdfast.example.yaml). See config/holdfast.example.yaml.

Environment: DRACHTIO_HOST/PORT/SECRET (external drachtio-server), RTPENGINE_HOST/PORT
(external rtpengine), HOLDFAST_ADMIN_TOKEN, HOLDFAST_AGENT_TOKEN_<ID>, HOLDFAST_LOG_LEVEL.
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
  const config = loadConfigFile(file);
  const gw = await startGateway(config);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`holdfast started (config ${file})`);
  out(
    `  SIP   ${gw.sipHostports.join('  ')}${config.sip.drachtio ? ` (drachtio-server ${config.sip.drachtio.host}:${config.sip.drachtio.port})` : ' (embedded SIP server)'}`,
  );
  out(`  HTTP  http://${gw.http.host}:${gw.http.port}/v1/agents`);
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

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out(`holdfast: ${signal}, stopping (${gw.calls.size} call(s) to end)`);
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
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
