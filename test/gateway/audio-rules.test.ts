// Who hears what, scene by scene: the pure rules that audio-plan.ts applies to rtpengine.
import t from 'tap';
import {
  wishFor,
  type AudioScene,
  type PartyView,
  type ScenePrompts,
} from '../../gateway/call/audio-rules';

const file = (path: string) => ({ path, durationMs: 2000, sampleRate: 8000 });
const prompts: ScenePrompts = {
  agentDisconnected: file('/p/agent-disconnected.wav'),
  primaryDisconnected: file('/p/primary-disconnected.wav'),
  waitMusic: file('/p/music.wav'),
};

const party = (tag: string, over: Partial<PartyView> = {}): PartyView => ({
  tag,
  role: 'primary',
  state: 'up',
  held: false,
  muted: false,
  earlyBridged: false,
  ...over,
});

const scene = (over: Partial<AudioScene>): AudioScene => ({
  phase: 'talking',
  customer: 'cust',
  retired: [],
  ...over,
});

/** The wish as plain data: blocked tags sorted, and each listener's sound by key. */
function seen(s: AudioScene) {
  const w = wishFor(s, prompts);
  return {
    blocked: [...w.blocked].sort(),
    sounds: Object.fromEntries([...w.sounds].map(([tag, sound]) => [tag, sound.key])),
  };
}

t.test('talking: nobody blocked, no sound; muted blocks the agent only', async (t) => {
  t.same(seen(scene({ primary: party('a') })), { blocked: [], sounds: {} });
  t.same(seen(scene({ primary: party('a', { muted: true }) })), { blocked: ['a'], sounds: {} });
});

t.test('on hold: neither hears the other, the customer hears music', async (t) => {
  t.same(seen(scene({ primary: party('a', { held: true }) })), {
    blocked: ['a', 'cust'],
    sounds: { cust: 'music:/p/music.wav' },
  });
});

t.test('agent gone: its sound blocked, the customer gets the prompt then music', async (t) => {
  const w = wishFor(scene({ primary: party('a', { state: 'gone' }) }), prompts);
  t.same([...w.blocked], ['a']);
  const sound = w.sounds.get('cust')!;
  t.equal(sound.purpose, 'absence');
  t.equal(sound.prompt, prompts.agentDisconnected);
  t.equal(sound.music, prompts.waitMusic);
  t.equal(sound.key, 'absence:a', 'one prompt per absent leg, not restarted on re-apply');
  const held = seen(scene({ primary: party('a', { state: 'gone', held: true }) }));
  t.same(held.blocked, ['a', 'cust'], 'held before the drop: the customer stays unheard');
});

t.test('queued: music, unless a ringing agent bridges its early media', async (t) => {
  t.same(seen(scene({ phase: 'queued' })), { blocked: [], sounds: { cust: 'music:/p/music.wav' } });
  const early = party('r', { state: 'early', earlyBridged: true });
  t.same(seen(scene({ phase: 'queued', dialing: early })), { blocked: [], sounds: {} });
  t.same(seen(scene({ phase: 'queued', retired: ['old'] })).blocked, ['old'], 'retired legs');
});

t.test(
  'consulting: the customer on hold with music; a gone primary warns the secondary',
  async (t) => {
    const primary = party('a', { held: true });
    const consult = party('b', { role: 'consult' });
    t.same(seen(scene({ phase: 'consulting', primary, consult })), {
      blocked: [],
      sounds: { cust: 'music:/p/music.wav' },
    });
    const gone = seen(
      scene({ phase: 'consulting', primary: { ...primary, state: 'gone' }, consult }),
    );
    t.same(gone.blocked, ['a']);
    t.same(gone.sounds, { cust: 'music:/p/music.wav', b: 'absence:a' });
    const w = wishFor(
      scene({ phase: 'consulting', primary: { ...primary, state: 'gone' }, consult }),
      prompts,
    );
    t.equal(
      w.sounds.get('b')!.prompt,
      prompts.primaryDisconnected,
      'the primary-disconnected prompt',
    );
    const ringing = seen(
      scene({ phase: 'consulting', primary, consult: { ...consult, state: 'early' } }),
    );
    t.same(
      ringing.sounds,
      { cust: 'music:/p/music.wav' },
      'no prompt to a secondary still ringing',
    );
    t.same(
      seen(
        scene({
          phase: 'consulting',
          primary: { ...primary, state: 'gone' },
          consult: { ...consult, muted: true },
        }),
      ).blocked,
      ['a', 'b'],
      'a muted secondary stays muted',
    );
  },
);

t.test(
  'a consult ending: the music stops, a held customer stays blocked with its agent',
  async (t) => {
    t.same(seen(scene({ phase: 'consulting', primary: party('a', { held: true }) })), {
      blocked: ['a', 'cust'],
      sounds: {},
    });
    t.same(seen(scene({ phase: 'consulting', primary: party('a') })), { blocked: [], sounds: {} });
  },
);

t.test(
  'transferring: music while the target rings, unless its early media replaces it',
  async (t) => {
    const target = party('x', { role: 'transfer', state: 'early' });
    t.same(seen(scene({ phase: 'transferring', primary: party('a'), transfer: target })).sounds, {
      cust: 'music:/p/music.wav',
    });
    t.same(
      seen(scene({ phase: 'transferring', transfer: { ...target, earlyBridged: true } })).sounds,
      {},
    );
  },
);

t.test('a final prompt replaces everything else', async (t) => {
  const final = file('/p/sorry.wav');
  const w = wishFor(
    scene({ phase: 'queued', primary: party('a', { state: 'gone' }), finalPrompt: final }),
    prompts,
  );
  t.same([...w.sounds.keys()], ['cust']);
  t.equal(w.sounds.get('cust')!.prompt, final);
  t.equal(w.sounds.get('cust')!.purpose, 'final');
});

t.test("music delay: no wait music in a call's first moments, ringing or not", async (t) => {
  const ringing = party('a', { state: 'setup' });
  for (const dialing of [ringing, undefined])
    t.same(seen(scene({ phase: 'queued', dialing, musicDelayed: true })), {
      blocked: [],
      sounds: {},
    });
  t.same(
    seen(scene({ phase: 'queued', dialing: ringing })),
    { blocked: [], sounds: { cust: 'music:/p/music.wav' } },
    'the delay over: music while it rings',
  );
  t.same(
    seen(scene({ primary: party('a', { held: true }), musicDelayed: true })).sounds,
    { cust: 'music:/p/music.wav' },
    'hold music is not delayed',
  );
});
