// A Server-Sent Events stream of the gateway's API (the agent's notifications, the
// operations board), read through fetch because EventSource cannot carry the bearer token
// (and a token in the URL would end up in logs). Reconnects with a growing delay
// (1 s … 15 s) until stopped.

export interface StreamEvent {
  event: string;
  id?: string;
  data: unknown;
}

export interface EventStreamOptions {
  open(signal: AbortSignal): Promise<Response>;
  onEvent(e: StreamEvent): void;
  onState?(state: 'open' | 'retrying', detail?: string): void;
}

export class EventStream {
  private readonly abort = new AbortController();
  private delayMs = 1000;

  constructor(private readonly opts: EventStreamOptions) {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let why = 'closed';
      try {
        const res = await this.opts.open(this.abort.signal);
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.delayMs = 1000;
        this.opts.onState?.('open');
        await this.read(res.body);
      } catch (err) {
        why = (err as Error).message;
      }
      if (this.abort.signal.aborted) return;
      this.opts.onState?.('retrying', why);
      await new Promise((r) => setTimeout(r, this.delayMs));
      this.delayMs = Math.min(15_000, this.delayMs * 2);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e = parseBlock(block);
        if (e) this.opts.onEvent(e);
      }
    }
  }
}

/** One SSE block → an event (comments and empty blocks → undefined). */
export function parseBlock(block: string): StreamEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return undefined;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text data stays a string
  }
  return { event, id, data: parsed };
}
