// The composition root: from a validated configuration to a running gateway (SIP server
// or drachtio-server, rtpengine, drachtio-srf handlers, the agent API, metrics, health,
// call records, rate limiting, drain), and back to nothing on stop(). Nothing else in the
// gateway creates long-lived resources.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import {
  connectExternal,
  launchRtpengine,
  MediaWatchdog,
  QueryScheduler,
  validatePrompt,
  type NgClient,
  type PromptFile,
  type RtpengineHandle,
} from '../media';
import { startSipServer, type SipServer } from '../sipserver';
import { AgentDirectory } from './agents/agent-directory';
import { CallRecordPublisher } from './call-records/call-record-publisher';
import { recordCall } from './call-records/record-call';
import { WebhookSink } from './call-records/webhook-sink';
import { DrainController } from './drain/drain-controller';
import { HealthRoutes } from './health/health-routes';
import { Readiness } from './health/readiness';
import { readBoard } from './http/board-model';
import { BoardStream } from './http/board-stream';
import { watchGateway } from './http/board-watch';
import { opsRoutes } from './http/ops-routes';
import { createLogger } from './logging/logger';
import { countSipResponses } from './metrics/count-sip-responses';
import { observeCallRecord } from './call-records/record-metrics';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MeteredNgClient } from './metrics/metered-ng-client';
import { SipRateLimiter } from './rate-limit/sip-rate-limiter';
import { ThrottleReporter } from './rate-limit/throttle-reporter';
import { admission } from './sip/admission';
import type { Call } from './call/call';
import { CallRegistry } from './call/call-registry';
import { Engagements } from './engagements/engagements';
import type { HoldfastConfig } from './config/config-types';
import { AgentApi } from './http/agent-api';
import { NotificationCenter } from './notifications/notification-center';
import { DisconnectCoordinator } from './policy/disconnect-coordinator';
import { CallRouter } from './routing/call-router';
import { AddressAllowList } from './sip-types/address-allow-list';
import { customerInviteHandler } from './sip/customer-invite';
import { DigestAuth } from './sip/digest-auth';
import { Registrar } from './sip/registrar';
import { route, use, type SipRequest, type SipResponse } from './sip-types/srf-types';
import { systemClock, type Clock } from '../time/clock';
import { CountingClock } from './timers/counting-clock';
import { nodeScheduleClock } from './timers/node-schedule-clock';

export interface GatewayOptions {
  logger?: Logger;
  /** Time for the gateway's deadlines; node-schedule by default. */
  clock?: Clock;
  /** Watchdog poll period (ms); default 100. */
  mediaPollMs?: number;
  /** Node process metrics on /metrics; default true (tests running many gateways turn them off). */
  processMetrics?: boolean;
}

export interface GatewayStats {
  calls: number;
  queued: number;
  absences: number;
  engagements: number;
  /** This gateway's pending deadlines (node-schedule jobs, keep-alives), registrations excepted. */
  deadlines: number;
  registrations: number;
  watchedCalls: number;
}

export interface RunningGateway {
  /** SIP listening points, as the SIP server reports them ('udp/127.0.0.1:5060', …). */
  sipHostports: string[];
  http: { host: string; port: number };
  rtpengine: RtpengineHandle;
  agents: AgentDirectory;
  engagements: Engagements;
  calls: ReadonlyMap<string, Call>;
  notifications: NotificationCenter;
  coordinator: DisconnectCoordinator;
  ng: NgClient;
  log: Logger;
  metrics: GatewayMetrics;
  /** Graceful shutdown: the start command drives it from signals, tests directly. */
  drain: DrainController;
  stats(): GatewayStats;
  stop(): Promise<void>;
}

async function loadPrompts(config: HoldfastConfig) {
  const [agentDisconnected, primaryDisconnected, waitMusic] = await Promise.all([
    validatePrompt(config.prompts.agentDisconnected),
    validatePrompt(config.prompts.primaryDisconnected),
    validatePrompt(config.prompts.waitMusic),
  ]);
  const overflow: PromptFile | undefined = config.prompts.overflow
    ? await validatePrompt(config.prompts.overflow)
    : undefined;
  return { agentDisconnected, primaryDisconnected, waitMusic, overflow };
}

/**
 * Connects drachtio-srf, or fails with one line naming the server and what to fix. On
 * failure drachtio-srf's own reconnect loop is stopped and its socket closed: it would
 * otherwise retry for ever and keep the process alive after start-up has given up.
 */
function connectSrf(
  srf: Srf,
  connect: { host: string; port: number; secret: string },
): Promise<string> {
  const where = `${connect.host}:${connect.port}`;
  // drachtio-srf has no "give up" call: closing is its wire protocol's own shutdown flag.
  type Wire = {
    closing?: boolean;
    socket?: { destroy(): void };
    reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
  };
  type Agent = { wp?: Wire; mapServer?: Map<{ destroy(): void }, unknown> };
  const abandon = () => {
    const agent = (srf as unknown as { app?: { client?: Agent } }).app?.client;
    const wire = agent?.wp;
    if (wire) {
      wire.closing = true;
      if (wire.reconnectVars?.retryTimer) clearTimeout(wire.reconnectVars.retryTimer);
      wire.socket?.destroy();
    }
    for (const socket of agent?.mapServer?.keys() ?? []) socket.destroy();
  };
  return new Promise((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (err: Error) => (lastError = err.message);
    const fail = (message: string) => {
      clearTimeout(timer);
      srf.off('error', onError);
      abandon();
      reject(new Error(message));
    };
    // drachtio-srf retries a refused connection by itself: give a starting server 5 s.
    const timer = setTimeout(
      () =>
        fail(
          `cannot connect to drachtio-server at ${where} (DRACHTIO_HOST/DRACHTIO_PORT) within ` +
            `5 s: ${lastError}; start it there, or unset DRACHTIO_* to use the embedded SIP server`,
        ),
      5000,
    );
    srf.on('error', onError);
    srf.once('connect', (err: Error | undefined, hostport: string) => {
      if (err)
        return fail(
          `drachtio-server at ${where} refused the secret (DRACHTIO_SECRET): ` +
            'set it to the secret the server was started with',
        );
      clearTimeout(timer);
      srf.off('error', onError);
      resolve(hostport);
    });
    srf.connect(connect);
  });
}

export async function startGateway(
  config: HoldfastConfig,
  opts: GatewayOptions = {},
): Promise<RunningGateway> {
  const log = opts.logger ?? createLogger({ level: config.log.level });
  const clock = new CountingClock(opts.clock ?? nodeScheduleClock);
  const prompts = await loadPrompts(config);
  const cleanups: [string, () => Promise<void> | void][] = [];
  const unwind = async () => {
    for (const [what, fn] of cleanups.reverse()) {
      log.debug({ what }, 'stopping');
      await Promise.resolve()
        .then(fn)
        .catch((err: Error) => log.error({ err: err.message, what }, 'stop failed'));
    }
  };
  try {
    // rtpengine
    const ext = config.media.rtpengine;
    const rtpengine = ext ? await connectExternal(ext.host, ext.port) : await launchRtpengine();
    cleanups.push(['rtpengine', () => rtpengine.stop()]);
    const metrics = new GatewayMetrics({ processMetrics: opts.processMetrics ?? true });
    const ng = new MeteredNgClient({ host: rtpengine.host, port: rtpengine.port }, metrics);
    cleanups.push(['ng client', () => ng.close()]);
    const queries = new QueryScheduler();
    cleanups.push(['query scheduler', () => queries.close()]);
    const watchdog = new MediaWatchdog({
      lossMs: config.media.lossMs,
      pollMs: opts.mediaPollMs ?? 100,
      scheduler: queries,
    });
    cleanups.push(['watchdog', () => watchdog.close()]);

    // SIP: an external drachtio-server, or the embedded one.
    let connect = config.sip.drachtio;
    if (!connect) {
      const server: SipServer = await startSipServer({
        contacts: config.sip.contacts,
        address: '127.0.0.1',
        port: 0,
        secret: randomBytes(12).toString('hex'),
        logger: log.child({ name: 'sipserver' }),
        ...(config.sip.tls ? { tls: config.sip.tls } : {}),
      });
      cleanups.push(['sip server', () => server.close()]);
      connect = server.drachtio;
    }
    const srf = new Srf();
    let drachtioUp = false;
    srf.on('error', (err: Error) => log.warn({ err: err.message }, 'drachtio connection'));
    srf.on('disconnect', () => (drachtioUp = false));
    srf.on('connect', (err: Error | undefined) => (drachtioUp = !err));
    cleanups.push(['drachtio connection', () => srf.disconnect()]);
    const hostports = await connectSrf(srf, connect);

    // The model.
    const agents = new AgentDirectory(config.agents, () => clock.now());
    const engagements = new Engagements(agents);
    agents.on('status', (a, from) => {
      log.info(
        { agentId: a.id, from, to: a.status, callId: engagements.of(a.id)[0]?.call.id },
        'agent status',
      );
      metrics.agentMoved(from, a.status);
    });
    const counts: Record<string, number> = {};
    for (const a of agents.all()) counts[a.status] = (counts[a.status] ?? 0) + 1;
    metrics.setAgentStates(counts);
    const notifications = new NotificationCenter(
      config.agents.map((a) => a.id),
      () => Date.now(),
    );
    // The watchdog's listeners are the watched legs themselves, one pair per leg.
    watchdog.setMaxListeners(0);
    const registry = new CallRegistry(ng, {
      srf,
      clock,
      watchdog,
      prompts,
      keepaliveMs: config.policy.keepaliveMs,
      failureReasons: config.policy.failureReasons,
      log,
    });
    const calls = registry.all;
    const router = new CallRouter(calls, agents, config, prompts.overflow, log);
    const coordinator = new DisconnectCoordinator({
      agents,
      engagements,
      calls,
      router,
      notifications,
      config,
      clock,
      log,
    });
    engagements.on('evidence', (e, ev) => coordinator.observe(e, ev));
    cleanups.push(['absences', () => coordinator.close()]);
    const drain = new DrainController({
      activeCalls: () => registry.size,
      endRemaining: () => registry.closeAll('shutdown'),
      limitMs: config.shutdown.drainMs,
      retryAfterS: config.shutdown.retryAfterS,
      log,
    });
    drain.on('state', (to) => metrics.setDraining(to === 'draining'));
    cleanups.push(['drain', () => drain.close()]);
    // Records leave after the calls that make them (cleanups run in reverse).
    const records = new CallRecordPublisher(
      log,
      config.webhook &&
        new WebhookSink({
          ...config.webhook,
          log,
          onDelivered: () => metrics.webhookRecordDelivered(),
          onDropped: (_callId, reason) => metrics.webhookRecordDropped(reason),
        }),
    );
    cleanups.push(['call records', () => records.close()]);
    registry.on('opened', (call) => {
      engagements.track(call);
      metrics.callStarted();
      recordCall(call, (record) => {
        observeCallRecord(metrics, record);
        records.publish(record);
      });
      call.on('disconnected', (_agentId, evidence) => metrics.disconnectDetected(evidence));
      call.log.info(
        { from: call.customer.request.get('From'), source: call.customer.request.source_address },
        'customer call',
      );
    });
    registry.on('closed', (call) => {
      router.forget(call);
      drain.callEnded();
    });

    // Middleware runs for out-of-dialog requests only: in-dialog ones (an agent's re-INVITE
    // or INFO) go to their dialog first, so they are never throttled or refused by a drain.
    use(srf, countSipResponses(metrics));
    const limiter = new SipRateLimiter({
      ...config.rateLimit,
      // The SBCs carry every customer's calls: they are not limited per source.
      exemptions: [{ name: 'sbc', from: new AddressAllowList(config.sbc.allow) }],
      now: () => performance.now(),
    });
    const throttleReporter = new ThrottleReporter(limiter, log);
    cleanups.push(['throttle reporter', () => throttleReporter.close()]);
    use(
      srf,
      admission({
        limiter,
        metrics,
        acceptingCalls: () => drain.acceptingCalls(),
        retryAfterS: drain.retryAfterS,
        log,
      }),
    );
    srf.invite(
      customerInviteHandler({
        allow: new AddressAllowList(config.sbc.allow),
        newCall: (req, res) => registry.open(req, res),
        queue: (c) => router.enqueue(c),
        log,
      }),
    );
    route(srf, 'options', (_req: SipRequest, res: SipResponse) =>
      res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REGISTER' } }),
    );
    const registrar = new Registrar(
      agents,
      new DigestAuth(config.sip.realm),
      {
        registered: (agent, changed) => {
          if (coordinator.absenceOf(agent.id) && changed) coordinator.back(agent.id, 're-register');
          else if (agent.status === 'offline' && !coordinator.absenceOf(agent.id))
            agents.move(agent, 'available');
        },
        unregistered: (agent) => {
          if (agent.status === 'available') agents.move(agent, 'offline');
        },
      },
      clock,
      log,
    );
    cleanups.push(['registrations', () => registrar.close()]);
    route(srf, 'register', (req: SipRequest, res: SipResponse) => registrar.handle(req, res));

    const readiness = new Readiness();
    readiness.add('drachtio', async () => {
      if (!drachtioUp) throw new Error('not connected to the SIP server');
    });
    readiness.add('rtpengine', async () => void (await ng.ping()), { timeoutMs: 1000 });
    readiness.add('not draining', drain.readinessCheck);
    const board = new BoardStream({
      read: () => readBoard({ calls, agents, engagements, coordinator }),
      now: () => clock.now(),
      subscribe: (poke) => watchGateway({ registry, agents, engagements }, poke),
      timers: systemClock, // the stream's pacing is not one of the gateway's deadlines
      log,
    });
    cleanups.push(['board stream', () => board.close()]);
    const api = new AgentApi({
      agents,
      engagements,
      calls,
      notifications,
      coordinator,
      adminToken: config.http.adminToken,
      log,
      board,
      publicRoutes: opsRoutes({
        health: new HealthRoutes(readiness),
        metrics,
        beforeScrape: () => metrics.setQueueLength(router.queue.size),
        sipHostports: hostports.split(',').filter(Boolean),
      }),
    });
    const address = await api.listen(config.http.listen.host, config.http.listen.port);
    cleanups.push(['agent API', () => api.close()]);
    // Calls end before anything they use goes away.
    cleanups.push(['calls', () => registry.closeAll('shutdown')]);

    let stopping: Promise<void> | undefined;
    return {
      sipHostports: hostports.split(',').filter(Boolean),
      http: { host: address.address, port: address.port },
      rtpengine,
      agents,
      engagements,
      calls,
      notifications,
      coordinator,
      ng,
      log,
      metrics,
      drain,
      stats: () => ({
        calls: registry.size,
        queued: router.queue.size,
        absences: coordinator.size,
        engagements: engagements.size,
        deadlines: clock.pending - registrar.size,
        registrations: registrar.size,
        watchedCalls: watchdog.watchedCalls,
      }),
      stop: () => (stopping ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
