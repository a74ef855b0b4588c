// Reads an agent's notification stream (Server-Sent Events) as its page would.
import http from 'node:http';
import type { Test } from 'tap';
import type { TestGateway } from './gateway-harness';

export interface SseEvent {
  event: string;
  data: {
    event: string;
    reason?: string;
    notification: { id: string; type: string; callId?: string };
  };
}

export interface SseStream {
  events: SseEvent[];
  close(): void;
}

export function subscribe(
  t: Test,
  hf: TestGateway,
  agentId: string,
  token = `${agentId}-token`,
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = http.get(
      {
        host: hf.gw.http.host,
        port: hf.gw.http.port,
        path: `/v1/agents/${agentId}/notifications`,
        headers: { Authorization: `Bearer ${token}` },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`SSE subscribe got ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        });
        res.on('error', () => {});
        const stream = { events, close: () => req.destroy() };
        t.teardown(() => stream.close());
        resolve(stream);
      },
    );
    req.on('error', (err) => {
      if (!('destroyed' in req && req.destroyed)) reject(err);
    });
  });
}
