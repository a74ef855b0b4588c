// `holdfast <subcommand>`: each subcommand lives in its own module and is loaded on demand.
type Subcommand = { summary: string; run: (args: string[]) => Promise<void> };

const subcommands: Record<string, Subcommand> = {
  start: {
    summary: 'run the gateway (embedded SIP server and local rtpengine unless configured)',
    run: async (args) => (await import('./start-command')).startCommand(args),
  },
  demo: {
    summary:
      'a customer call, an agent whose media drops and comes back; saves what the customer heard',
    run: async (args) => (await import('./demo/demo-command')).demoCommand(args),
  },
  sipserver: {
    summary: 'run only the embedded drachtio-compatible SIP server (drachtio-server flags)',
    run: async (args) => (await import('../sipserver/cli')).sipserverCommand(args),
  },
};

function usage(): string {
  const lines = Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`);
  return `usage: holdfast <subcommand> [options]\n\nsubcommands:\n${lines.join('\n')}\n`;
}

export function main(argv: string[]): void {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  const sub = subcommands[name];
  if (!sub) {
    process.stderr.write(`holdfast: unknown subcommand '${name}'\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  sub.run(rest).catch((err: unknown) => {
    process.stderr.write(`holdfast ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
