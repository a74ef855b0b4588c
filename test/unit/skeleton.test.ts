import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const cli = path.join(__dirname, '..', '..', 'bin', 'holdfast');

t.test('the CLI explains its subcommands', async (t) => {
  const out = spawnSync(cli, ['--help'], { encoding: 'utf8' });
  t.equal(out.status, 0);
  t.match(out.stdout, /sipserver/);
  t.match(out.stdout, /start/);
});

t.test('an unknown subcommand is an error that names it', async (t) => {
  const out = spawnSync(cli, ['frobnicate'], { encoding: 'utf8' });
  t.equal(out.status, 2);
  t.match(out.stderr, /frobnicate/);
});
