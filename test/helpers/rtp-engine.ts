// The rtpengine a media test talks to: the one of RTPENGINE_HOST/RTPENGINE_PORT, else a
// private one on loopback. Torn down with the test; every call the test created is
// expected to be gone by then (checked by callsLeft()).
import type { Test } from 'tap';
import { NgClient } from '../../media/ng-client';
import {
  rtpengineFromEnv,
  type LaunchOptions,
  type RtpengineHandle,
} from '../../media/rtpengine-launcher';

export interface RtpengineForTest {
  handle: RtpengineHandle;
  client: NgClient;
  /** Call-ids rtpengine still holds. */
  callsLeft(): Promise<string[]>;
}

export async function rtpengineForTest(
  t: Test,
  opts: LaunchOptions = {},
): Promise<RtpengineForTest> {
  // A small port block unless told: test files run side by side on one host.
  const sized = opts.ports || opts.portCount ? opts : { ...opts, portCount: 1024 };
  const handle = await rtpengineFromEnv(sized);
  const client = new NgClient({ host: handle.host, port: handle.port });
  t.teardown(async () => {
    client.close();
    await handle.stop();
  });
  return {
    handle,
    client,
    async callsLeft() {
      const reply = await client.request('list', { limit: 1000 });
      const calls = (reply.calls as string[] | undefined) ?? [];
      return calls.filter((c) => c.includes(`-${process.pid}-`)); // ours only (shared rtpengine)
    },
  };
}

/** A call-id unique to this process and moment, so runs never share rtpengine state. */
export function uniqueCallId(prefix = 'call'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
