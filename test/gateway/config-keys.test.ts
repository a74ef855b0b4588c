// Keys nobody knows are refused at every level (with the nearest known name), the admin
// token is nobody else's, and the capacity keys: queue.maxQueued, queue.retryAfterS,
// media.ports, sip.callerIdentity, notifications.*.
import t from 'tap';
import { parseConfig } from '../../gateway/config/load-config';
import { env, problem } from './fixtures/config-problem';

t.test('an unknown key inside a section is refused, with a did-you-mean', async (t) => {
  t.equal(
    problem({ policy: { reconectWindowMs: 5000 } }),
    'policy.reconectWindowMs: unknown key; did you mean reconnectWindowMs? (known: ' +
      'reconnectWindowMs, presenceTimeoutMs, failureReasons, keepaliveMs, reroutePriority)',
  );
  const cases: [unknown, RegExp][] = [
    [{ sip: { realms: 'x' } }, /^sip.realms: unknown key; did you mean realm\?/],
    [{ sbc: { alow: [] } }, /^sbc.alow: unknown key; did you mean allow\?/],
    [{ media: { lossMS: 10 } }, /^media.lossMS: unknown key; did you mean lossMs\?/],
    [
      { prompts: { waitmusic: 'x.wav' } },
      /^prompts.waitmusic: unknown key; did you mean waitMusic/,
    ],
    [{ queue: { maxWait: 1 } }, /^queue.maxWait: unknown key; did you mean maxWaitMs\?/],
    [{ overflow: { casue: 1 } }, /^overflow.casue: unknown key; did you mean cause\?/],
    [{ http: { adminTokens: 'x' } }, /^http.adminTokens: unknown key; did you mean adminToken\?/],
    [{ log: { levle: 'info' } }, /^log.levle: unknown key; did you mean level\?/],
    [{ shutdown: { drain: 1 } }, /^shutdown.drain: unknown key/],
    [
      { webhook: { url: 'http://x/', secret: 'x'.repeat(16), maxAttempt: 2 } },
      /^webhook.maxAttempt: unknown key; did you mean maxAttempts\?/,
    ],
    [{ rateLimit: { setups: {} } }, /^rateLimit.setups: unknown key; did you mean setup\?/],
    [
      { notifications: { maxHold: 3 } },
      /^notifications.maxHold: unknown key; did you mean maxHeld\?/,
    ],
    [{ media: { ports: { min: 30000, max: 31000, step: 2 } } }, /^media.ports.step: unknown key/],
    [
      { agents: [{ id: 'a', uri: 'sip:a@h', token: 't', pasword: 'p' }] },
      /^agents\[0\].pasword: unknown key; did you mean password\?/,
    ],
  ];
  for (const [doc, want] of cases) t.match(problem(doc), want, JSON.stringify(doc));
  t.match(problem({ polcy: {} }), /^polcy: unknown key; did you mean policy\? \(known: sip, /);
  t.match(problem({ zzz: 1 }), /^zzz: unknown key \(known: /, 'no suggestion when nothing is near');
});

t.test('the admin token must not be an agent token', async (t) => {
  const agents = [
    { id: 'alice', uri: 'sip:alice@h', token: 'alice-tok' },
    { id: 'bob', uri: 'sip:bob@h', token: 'shared' },
  ];
  const msg = problem({ agents, http: { adminToken: 'shared' } }, {});
  t.match(
    msg,
    /^http.adminToken: must differ from every agent token \(it equals the token of agent bob/,
  );
  t.notMatch(msg, /shared/, 'the token is not echoed');
  t.match(
    problem({ agents }, { HOLDFAST_ADMIN_TOKEN: 'alice-tok' }),
    /^http.adminToken: must differ/,
    'also when the admin token comes from the environment',
  );
  t.match(
    problem(
      { agents: [{ id: 'alice', uri: 'sip:alice@h', token: 'x' }] },
      { HOLDFAST_ADMIN_TOKEN: 'same', HOLDFAST_AGENT_TOKEN_ALICE: 'same' },
    ),
    /^http.adminToken: must differ/,
    'and when the agent token does',
  );
  t.equal(problem({ agents, http: { adminToken: 'admin' } }, {}), 'no error');
});

t.test('new keys: defaults', async (t) => {
  const c = parseConfig({}, { env });
  t.equal(c.queue.maxQueued, 1000);
  t.equal(c.queue.retryAfterS, 5);
  // Unset: the private rtpengine claims a free block of its own at launch.
  t.equal(c.media.ports, undefined);
  t.equal(c.sip.callerIdentity, true);
  t.same(c.notifications, { maxHeld: 100, maxHeldBytes: 262144, maxAgeMs: 3600000 });
});

t.test('new keys: values and errors', async (t) => {
  const c = parseConfig(
    {
      queue: { maxQueued: 20, retryAfterS: 9 },
      media: { ports: { min: 40000, max: 40999 } },
      sip: { callerIdentity: false },
      notifications: { maxHeld: 5, maxHeldBytes: 4096, maxAgeMs: 60000 },
    },
    { env },
  );
  t.equal(c.queue.maxQueued, 20);
  t.equal(c.queue.retryAfterS, 9);
  t.same(c.media.ports, { min: 40000, max: 40999 });
  t.equal(c.sip.callerIdentity, false);
  t.same(c.notifications, { maxHeld: 5, maxHeldBytes: 4096, maxAgeMs: 60000 });

  t.match(problem({ queue: { maxQueued: 0 } }), /^queue.maxQueued: must be a positive integer/);
  t.match(problem({ queue: { maxQueued: 1.5 } }), /^queue.maxQueued: must be a positive integer/);
  t.match(problem({ queue: { retryAfterS: -1 } }), /^queue.retryAfterS: must be a positive/);
  t.match(
    problem({ sip: { callerIdentity: 'yes' } }),
    /^sip.callerIdentity: must be true or false \(got "yes"\)/,
  );
  t.match(problem({ notifications: { maxHeld: 0 } }), /^notifications.maxHeld: must be a positive/);
  t.match(problem({ notifications: { maxHeldBytes: 'lots' } }), /^notifications.maxHeldBytes/);
  t.match(problem({ notifications: { maxAgeMs: -5 } }), /^notifications.maxAgeMs/);
  t.match(problem({ notifications: 3 }), /^notifications: must be a mapping/);
});

t.test(
  'media.ports: inverted, out of range, too small, or with an external rtpengine',
  async (t) => {
    t.match(
      problem({ media: { ports: { min: 40000, max: 30000 } } }),
      /^media.ports: min must not exceed max \(got 40000 > 30000\)/,
    );
    t.match(
      problem({ media: { ports: { min: 80, max: 30000 } } }),
      /^media.ports.min: must be a UDP port from 1024 to 65535 \(got 80\)/,
    );
    t.match(
      problem({ media: { ports: { min: 30000, max: 70000 } } }),
      /^media.ports.max: must be a UDP port from 1024 to 65535/,
    );
    t.match(
      problem({ media: { ports: { min: 30000, max: 30002 } } }),
      /^media.ports: must span at least 4 ports/,
    );
    t.match(problem({ media: { ports: { min: 30000 } } }), /^media.ports.max: is required/);
    t.match(
      problem({ media: { ports: { min: 'low', max: 30000 } } }),
      /^media.ports.min: must be a positive integer/,
    );
    t.match(
      problem({ media: { ports: [30000, 40000] } }),
      /^media.ports: must be a mapping \{min, max\}/,
    );
    const external = { ...env, RTPENGINE_HOST: '127.0.0.1', RTPENGINE_PORT: '2223' };
    t.match(
      problem({ media: { ports: { min: 30000, max: 40000 } } }, external),
      /^media.ports: sets the private rtpengine, but RTPENGINE_HOST\/PORT name an external one/,
    );
    const c = parseConfig({}, { env: external });
    t.equal(c.media.ports, undefined, 'no range with an external rtpengine');
    t.same(c.media.rtpengine, { host: '127.0.0.1', port: 2223 });
  },
);

t.test('media.portBlock: the size of the claimed block, not with ports or external', async (t) => {
  t.equal(parseConfig({ media: { portBlock: 512 } }, { env }).media.portBlock, 512);
  t.match(problem({ media: { portBlock: 4 } }), /^media.portBlock: must be from 8 \(one call\)/);
  t.match(
    problem({ media: { portBlock: 512, ports: { min: 40000, max: 40999 } } }),
    /^media.portBlock: is the size of a claimed block: not with media.ports/,
  );
  const external = { ...env, RTPENGINE_HOST: '127.0.0.1', RTPENGINE_PORT: '2223' };
  t.match(problem({ media: { portBlock: 512 } }, external), /^media.portBlock: sets the private/);
});
