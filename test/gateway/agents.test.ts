import t from 'tap';
import { AgentDirectory } from '../../gateway/agents/agent-directory';
import { canMove } from '../../gateway/agents/agent-state';
import { CallQueue } from '../../gateway/queue/call-queue';

t.test(
  'static agents start available with the profile of their transport; registrars start offline',
  async (t) => {
    let now = 0;
    const d = new AgentDirectory(
      [
        { id: 'a', uri: 'sip:a@127.0.0.1:5070', token: 'ta' },
        { id: 'b', uri: 'sip:b@127.0.0.1:5071;transport=ws', token: 'tb' },
        { id: 'c', password: 'p', token: 'tc' },
      ],
      () => now,
    );
    t.equal(d.get('a')!.status, 'available');
    t.equal(d.get('a')!.contact!.profile, 'rtp');
    t.equal(d.get('b')!.contact!.profile, 'webrtc');
    t.equal(d.get('c')!.status, 'offline');
    t.equal(d.byBearer('tc')!.id, 'c');
    now = 5;
  },
);

t.test('longest idle is chosen, skipping busy and skipped agents', async (t) => {
  let now = 0;
  const d = new AgentDirectory(
    [
      { id: 'a', uri: 'sip:a@h', token: 'ta' },
      { id: 'b', uri: 'sip:b@h', token: 'tb' },
      { id: 'c', uri: 'sip:c@h', token: 'tc' },
    ],
    () => now,
  );
  t.equal(d.select()!.id, 'a', 'ties broken by id');
  now = 10;
  d.move(d.get('a')!, 'ringing');
  d.move(d.get('a')!, 'busy');
  d.move(d.get('a')!, 'available'); // a idle since 10
  t.equal(d.select()!.id, 'b');
  t.equal(d.select(new Set(['b']))!.id, 'c');
  t.equal(d.select(new Set(['b', 'c']))!.id, 'a');
  d.move(d.get('a')!, 'ringing');
  t.equal(d.select(new Set(['b', 'c'])), undefined);
});

t.test('illegal moves throw and name the move', async (t) => {
  const d = new AgentDirectory([{ id: 'a', uri: 'sip:a@h', token: 'ta' }], () => 0);
  const a = d.get('a')!;
  t.throws(() => d.move(a, 'busy'), /agent a: illegal move available → busy/);
  t.notOk(canMove('offline', 'busy'));
  t.notOk(canMove('busy', 'ringing'));
  t.ok(canMove('disconnected', 'busy'));
  const seen: string[] = [];
  d.on('status', (ag, from) => seen.push(`${ag.id}:${from}→${ag.status}`));
  d.move(a, 'disconnected');
  d.move(a, 'offline');
  t.same(seen, ['a:available→disconnected', 'a:disconnected→offline']);
});

t.test('queue orders by priority, then waiting time, then arrival', async (t) => {
  const q = new CallQueue();
  q.add({ callId: 'new1', priority: 0, enqueuedAt: 100 });
  q.add({ callId: 'old', priority: 0, enqueuedAt: 50 });
  q.add({ callId: 'rerouted', priority: 10, enqueuedAt: 500 });
  q.add({ callId: 'new2', priority: 0, enqueuedAt: 100 });
  t.same(
    q.list().map((e) => e.callId),
    ['rerouted', 'old', 'new1', 'new2'],
  );
  t.throws(() => q.add({ callId: 'old', priority: 0, enqueuedAt: 1 }), /already queued/);
  t.ok(q.remove('old'));
  t.notOk(q.remove('old'));
  t.equal(q.size, 3);
});
