import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { claimPortBlock } from '../../media/port-block-claim';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-claims-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const overlap = (a: { min: number; max: number }, b: { min: number; max: number }) =>
  a.min <= b.max && b.min <= a.max;

t.test('claims never overlap, whatever their sizes, until the region is full', async (t) => {
  const dir = tempDir(t);
  const claims = [claimPortBlock(6000, dir), claimPortBlock(6000, dir)];
  for (let i = 0; i < 12; i++) claims.push(claimPortBlock(100 + i * 7, dir));
  for (const [i, a] of claims.entries())
    for (const b of claims.slice(i + 1)) t.notOk(overlap(a.range, b.range), 'disjoint');
  t.ok(
    claims.every((c) => c.range.min >= 16384 && c.range.max <= 32767),
    'below 32768',
  );
  t.equal(claims[0].range.max - claims[0].range.min + 1, 6000, 'the count asked for');
  t.throws(() => claimPortBlock(6000, dir), /no free media port block of 6000 ports/);
  claims[0].release();
  const again = claimPortBlock(6000, dir);
  t.ok(again, 'a released block can be claimed again');
  again.release();
  for (const c of claims) c.release();
  t.same(fs.readdirSync(dir), [], 'no lock file left');
});

t.test("a dead owner's claim is taken over, a live one's is not", async (t) => {
  const dir = tempDir(t);
  const slots = Math.floor(16384 / 128);
  // Every slot held by a process that has exited: all are free again.
  for (let s = 0; s < slots; s++)
    fs.writeFileSync(path.join(dir, `${16384 + s * 128}.lock`), '2147483646');
  const claim = claimPortBlock(6000, dir);
  const lock = path.join(dir, `${claim.range.min}.lock`);
  t.equal(fs.readFileSync(lock, 'utf8'), String(process.pid));
  claim.heldAlsoBy(4242);
  t.equal(fs.readFileSync(lock, 'utf8'), `${process.pid} 4242`, "its rtpengine's pid beside");
  claim.release();
  // Every owner gone but its rtpengine still running (here: this test's parent): taken by
  // nobody, since that rtpengine still binds the ports.
  for (let s = 0; s < slots; s++)
    fs.writeFileSync(path.join(dir, `${16384 + s * 128}.lock`), `2147483646 ${process.ppid}`);
  t.throws(() => claimPortBlock(128, dir), /no free media port block/, 'an orphaned rtpengine');
  // Every slot held by a live process (this test's parent): nothing to take.
  for (let s = 0; s < slots; s++)
    fs.writeFileSync(path.join(dir, `${16384 + s * 128}.lock`), String(process.ppid));
  t.throws(() => claimPortBlock(128, dir), /no free media port block/);
});
