// The gateway's configuration, as validated. YAML keys map one to one onto these fields.

export interface AgentConfig {
  id: string;
  /** A static contact (sip:agent@host:port). Without it the agent must REGISTER. */
  uri?: string;
  /** Digest password for REGISTER. */
  password?: string;
  /** Bearer token for the agent API (its own resources only). */
  token: string;
}

export interface HoldfastConfig {
  sip: {
    /** drachtio-style contacts of the embedded SIP server (sip:127.0.0.1:5060;transport=udp,tcp). */
    contacts: string[];
    /** Digest realm of agent registrations. */
    realm: string;
    /** External drachtio-server (from DRACHTIO_HOST/PORT/SECRET); unset → embedded. */
    drachtio?: { host: string; port: number; secret: string };
    /** Certificate and key (PEM file paths) of the embedded server's tls/wss contacts. */
    tls?: { cert: string; key: string };
  };
  sbc: { allow: string[] };
  agents: AgentConfig[];
  policy: {
    reconnectWindowMs: number;
    presenceTimeoutMs: number;
    /** Reason header texts (case-insensitive substrings) that make an agent BYE a disconnect. */
    failureReasons: string[];
    /** In-dialog OPTIONS to the agent every this many ms; 0 = off. */
    keepaliveMs: number;
    /** Priority added to a rerouted call. */
    reroutePriority: number;
  };
  media: {
    lossMs: number;
    /** External rtpengine (from RTPENGINE_HOST/PORT); unset → launch a local one. */
    rtpengine?: { host: string; port: number };
  };
  prompts: {
    agentDisconnected: string;
    primaryDisconnected: string;
    waitMusic: string;
    /** Played before hanging up when overflow has no URI. */
    overflow?: string;
  };
  queue: { ringTimeoutMs: number; maxWaitMs: number };
  overflow: {
    uri?: string;
    /** SIP status sent as Reason (Q.850 cause) when the gateway hangs up on overflow. */
    cause: number;
  };
  http: { listen: { host: string; port: number }; adminToken: string };
  log: { level: string };
  /** Call records POSTed here (signed); unset → records go to the log only. */
  webhook?: { url: string; secret: string; maxAttempts: number };
  /** Per-source SIP budgets; sources in sbc.allow are exempt. */
  rateLimit: { setup: RateBudget; other: RateBudget };
  shutdown: {
    /** Longest wait for active calls to end by themselves after SIGTERM/SIGINT. */
    drainMs: number;
    /** Retry-After (s) on INVITEs refused while draining. */
    retryAfterS: number;
  };
}

/** A token bucket: sustained requests per second, and how many may come at once. */
export interface RateBudget {
  perSecond: number;
  burst: number;
}
