// `holdfast sipserver` TLS flags, named as drachtio-server's: --key-file, --cert-file,
// --chain-file.
import t from 'tap';
import { parseSipserverArgs, UsageError } from '../../sipserver/cli-args';

const base = ['--secret', 's'];

t.test('--key-file/--cert-file/--chain-file become the tls option', async (t) => {
  const args = parseSipserverArgs([
    ...base,
    '--contact',
    'sips:127.0.0.1:5061;transport=tls',
    '--key-file',
    '/etc/k.pem',
    '--cert-file=/etc/c.pem',
    '--chain-file',
    '/etc/ca.pem',
  ]);
  t.same(args.tls, { key: '/etc/k.pem', cert: '/etc/c.pem', ca: '/etc/ca.pem' });
  t.same(parseSipserverArgs([...base, '--key-file', 'k', '--cert-file', 'c']).tls, {
    key: 'k',
    cert: 'c',
    ca: undefined,
  });
  t.equal(parseSipserverArgs(base).tls, undefined, 'no flags, no tls');
});

t.test('incomplete TLS flags are usage errors', async (t) => {
  t.throws(() => parseSipserverArgs([...base, '--key-file', 'k']), UsageError);
  t.throws(() => parseSipserverArgs([...base, '--cert-file', 'c']), /go together/);
  t.throws(() => parseSipserverArgs([...base, '--chain-file', 'ca']), /go together/);
  t.throws(() => parseSipserverArgs([...base, '--key-file']), /--key-file needs a value/);
});

t.test('a tls or wss contact without the files is a usage error naming it', async (t) => {
  for (const c of ['sips:127.0.0.1:5061', 'sip:127.0.0.1:8443;transport=wss']) {
    t.throws(
      () => parseSipserverArgs([...base, '--contact', c]),
      new UsageError(`--contact '${c}' needs --key-file and --cert-file`),
    );
  }
});

t.test('a sips: contact without transport means TLS on 5061', async (t) => {
  const { parseContactSpec } = await import('../../sipserver/transport/contact-spec');
  t.same(parseContactSpec('sips:127.0.0.1'), { host: '127.0.0.1', port: 5061, protocols: ['tls'] });
  t.same(parseContactSpec('sip:127.0.0.1:8443;transport=wss').protocols, ['wss']);
});
