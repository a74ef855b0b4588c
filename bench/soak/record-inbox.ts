// The webhook the gateway posts its call records to: keeps each record by the customer
// dialog's SIP Call-ID (what the soak's customer knows of its call).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallRecord } from '../../gateway/call-records/call-record';

export class RecordInbox {
  readonly bySipCallId = new Map<string, CallRecord>();
  /** Records for the same customer Call-ID more than once (must stay 0). */
  duplicates = 0;
  /** Records without a customer Call-ID (must stay 0). */
  unnamed = 0;

  private constructor(private readonly server: http.Server) {}

  static async open(): Promise<RecordInbox> {
    const server = http.createServer();
    const inbox = new RecordInbox(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          inbox.take(JSON.parse(Buffer.concat(chunks).toString()) as CallRecord);
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return inbox;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}/records`;
  }

  get size(): number {
    return this.bySipCallId.size;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private take(record: CallRecord): void {
    const id = record.customer?.sipCallId;
    if (!id) {
      this.unnamed++;
      return;
    }
    if (this.bySipCallId.has(id)) this.duplicates++;
    this.bySipCallId.set(id, record);
  }
}
