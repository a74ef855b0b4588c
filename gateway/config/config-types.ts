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
    /**
     * Whether agents see who is calling: the customer's From display name and user, and
     * P-Asserted-Identity. false → the agent leg carries an anonymous identity. A `Privacy: id`
     * from the SBC is always respected, whatever this says.
     */
    callerIdentity: boolean;
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
    /** Media port range of the private rtpengine (its --port-min/--port-max); unset with an external one. */
    ports?: PortRange;
    /** Without `ports`: how many ports the private rtpengine claims on this host. */
    portBlock?: number;
  };
  prompts: {
    agentDisconnected: string;
    primaryDisconnected: string;
    waitMusic: string;
    /** Played before hanging up when overflow has no URI. */
    overflow?: string;
  };
  queue: {
    ringTimeoutMs: number;
    /**
     * The wait music starts this long after a call arrives (0: at once): an agent who
     * answers sooner spares rtpengine a player.
     */
    musicDelayMs: number;
    maxWaitMs: number;
    /** Most calls waiting for an agent at once; a new call beyond it is refused (503). */
    maxQueued: number;
    /** Retry-After (s) on the 503 of a call refused because the queue is full. */
    retryAfterS: number;
  };
  overflow: {
    uri?: string;
    /** SIP status sent as Reason (Q.850 cause) when the gateway hangs up on overflow. */
    cause: number;
  };
  http: { listen: { host: string; port: number }; adminToken: string };
  /** Bounds on what one agent's box holds while nobody receives it (oldest expire first). */
  notifications: NotificationLimits;
  log: { level: string };
  /** Call records POSTed here (signed); unset → records go to the log only. */
  webhook?: { url: string; secret: string; maxAttempts: number };
  /** Per-source SIP budgets; sources in sbc.allow are exempt. */
  rateLimit: { setup: RateBudget; other: RateBudget };
  /** Shared state: in the process (one gateway), or in Redis (several; see state-config.ts). */
  state: {
    /** Unset → in the process, as with one gateway. */
    redis?: { url: string; keyPrefix: string };
    /** This gateway among those sharing the Redis (default host-pid). */
    instanceId: string;
    /** How often the instance tells the others it is alive. */
    heartbeatMs: number;
    /** Silent this long, an instance is dead and a survivor takes over what it held. */
    instanceTtlMs: number;
  };
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

/** Inclusive UDP port range. */
export interface PortRange {
  min: number;
  max: number;
}

export interface NotificationLimits {
  /** Most notifications held per agent. */
  maxHeld: number;
  /** Most bytes (JSON) of notifications held per agent. */
  maxHeldBytes: number;
  /** A held notification older than this expires. */
  maxAgeMs: number;
}
