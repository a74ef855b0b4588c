// The operations keys: webhook, rateLimit, shutdown, sip.tls — defaults, environment, and
// errors that name the key (and never echo the webhook secret).
import t from 'tap';
import { env, problem } from './fixtures/config-problem';
import { parseConfig } from '../../gateway/config/load-config';

t.test('defaults', async (t) => {
  const c = parseConfig({}, { env });
  t.equal(c.webhook, undefined, 'no webhook');
  t.same(c.rateLimit, {
    setup: { perSecond: 10, burst: 20 },
    other: { perSecond: 50, burst: 100 },
  });
  t.same(c.shutdown, { drainMs: 300000, retryAfterS: 30 });
  t.equal(c.sip.tls, undefined);
});

t.test('webhook: url and secret, the secret also from HOLDFAST_WEBHOOK_SECRET', async (t) => {
  const c = parseConfig(
    { webhook: { url: 'https://crm.example/records', maxAttempts: 3 } },
    { env: { ...env, HOLDFAST_WEBHOOK_SECRET: 'from-the-environment' } },
  );
  t.same(c.webhook, {
    url: 'https://crm.example/records',
    secret: 'from-the-environment',
    maxAttempts: 3,
  });
  t.equal(
    problem({ webhook: { secret: 'x'.repeat(16) } }),
    'webhook.url: is required when webhook is configured',
  );
  t.match(
    problem({ webhook: { url: 'ftp://x/', secret: 'x'.repeat(16) } }),
    /^webhook.url: must be an http/,
  );
  const short = problem({ webhook: { url: 'http://x/', secret: 'short-secret' } });
  t.match(short, /^webhook.secret: must be a string of at least 16/);
  t.notMatch(short, /short-secret/, 'the secret is not echoed');
  t.match(
    problem({ webhook: { url: 'http://x/', secret: 'x'.repeat(16), maxAttempts: 0 } }),
    /^webhook.maxAttempts/,
  );
});

t.test('rateLimit and shutdown errors name the key', async (t) => {
  t.same(parseConfig({ rateLimit: { setup: { perSecond: 0.5 } } }, { env }).rateLimit.setup, {
    perSecond: 0.5,
    burst: 20,
  });
  t.match(
    problem({ rateLimit: { setup: { perSecond: -1 } } }),
    /^rateLimit.setup.perSecond: must be a positive number/,
  );
  t.match(
    problem({ rateLimit: { other: { burst: 'lots' } } }),
    /^rateLimit.other.burst: must be a positive integer/,
  );
  t.match(problem({ rateLimit: { setup: 5 } }), /^rateLimit.setup: must be a mapping/);
  t.match(problem({ rateLimit: { setup: { rate: 5 } } }), /^rateLimit.setup.rate: unknown key/);
  t.match(problem({ shutdown: { drainMs: 0 } }), /^shutdown.drainMs: must be a positive integer/);
  t.match(problem({ shutdown: { retryAfterS: 'soon' } }), /^shutdown.retryAfterS/);
});

t.test('sip.tls: required by tls/wss contacts, paths resolved', async (t) => {
  t.match(
    problem({ sip: { contacts: ['sips:127.0.0.1:5061;transport=tls'] } }),
    /^sip.tls: is required by the contact/,
  );
  const c = parseConfig(
    {
      sip: {
        contacts: ['sips:127.0.0.1:5061;transport=tls'],
        tls: { cert: 'c.pem', key: 'k.pem' },
      },
    },
    { env, baseDir: '/etc/holdfast' },
  );
  t.same(c.sip.tls, { cert: '/etc/holdfast/c.pem', key: '/etc/holdfast/k.pem' });
  t.match(problem({ sip: { tls: { cert: 'c.pem' } } }), /^sip.tls.key: is required/);
  t.match(problem({ sip: { tls: { cert: 'c', key: 'k', ca: 'x' } } }), /^sip.tls.ca: unknown key/);
});
