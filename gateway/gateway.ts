// The composition root: from a validated configuration to a running gateway (SIP server
// or drachtio-server, rtpengine, drachtio-srf handlers, the agent API, metrics, health,
// call records, rate limiting, drain), and back to nothing on stop(). Nothing else in the
// gateway creates long-lived resources. Why it runs past ~350 lines: it is the one place
// where the order of start-up and of the cleanups is read top to bottom; each part's
// logic lives in its own module, and only a few lines of wiring each are here.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Srf from 'drachtio-srf';
import { connectExternal, launchRtpengine, MediaWatchdog, QueryScheduler } from '../media';
import { startSipServer, type SipServer } from '../sipserver';
import { AgentDirectory } from './agents/agent-directory';
import { CallRecordPublisher } from './call-records/call-record-publisher';
import { WebhookSink } from './call-records/webhook-sink';
import { DrainController } from './drain/drain-controller';
import { HealthRoutes } from './health/health-routes';
import { Readiness } from './health/readiness';
import { reportRtpengine } from './health/rtpengine-report';
import { readBoard } from './http/board-model';
import { BoardStream } from './http/board-stream';
import { watchGateway } from './http/board-watch';
import { opsRoutes } from './http/ops-routes';
import { createLogger } from './logging/logger';
import { countSipResponses } from './metrics/count-sip-responses';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MeteredNgClient } from './metrics/metered-ng-client';
import { SipRateLimiter } from './rate-limit/sip-rate-limiter';
import { ThrottleReporter } from './rate-limit/throttle-reporter';
import { admission } from './sip/admission';
import { CallRegistry } from './call/call-registry';
import type { GatewayOptions, RunningGateway } from './gateway-types';
import { abandonSrf, connectSrf } from './startup/connect-srf';
import { loadPrompts } from './startup/load-prompts';
import { RouteProbe } from './startup/route-probe';
import { SipConnectionWatch } from './startup/sip-connection-watch';
import { ConversationBook } from './conversations/conversation-book';
import { OpsEvents } from './events/ops-events';
import { HandoverDesk } from './routing/handover-desk';
import { observeCalls } from './call-observers';
import { callerIdentityHeaders } from './sip-types/caller-identity';
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
import { sipByStackId } from './state/sip-by-stack-id';
import { adoptConnectedCall } from './state/call-adoption';
import { SharedState } from './state/shared-state';
import { route, use, type SipRequest, type SipResponse } from './sip-types/srf-types';
import { systemClock } from '../time/clock';
import { CountingClock } from './timers/counting-clock';
import { nodeScheduleClock } from './timers/node-schedule-clock';

export type { GatewayOptions, GatewayStats, RunningGateway } from './gateway-types';

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
    const rtpengine = ext
      ? await connectExternal(ext.host, ext.port)
      : await launchRtpengine({ ports: config.media.ports, portCount: config.media.portBlock });
    cleanups.push(['rtpengine', () => rtpengine.stop()]);
    const metrics = new GatewayMetrics({ processMetrics: opts.processMetrics ?? true });
    const ng = new MeteredNgClient({ host: rtpengine.host, port: rtpengine.port }, metrics);
    cleanups.push(['ng client', () => ng.close()]);
    const queries = new QueryScheduler();
    cleanups.push(['query scheduler', () => queries.close()]);
    const watchdog = new MediaWatchdog({
      lossMs: config.media.lossMs,
      pollMs: opts.mediaPollMs ?? 100,
      flowingPollMs: opts.mediaFlowingPollMs,
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
    srf.on('error', (err: Error) => log.warn({ err: err.message }, 'drachtio connection'));
    cleanups.push([
      'drachtio connection',
      () => {
        // disconnect() alone leaves a reconnect loop running when the link is down.
        abandonSrf(srf);
      },
    ]);

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
      config.notifications,
    );
    const registry = new CallRegistry(ng, {
      srf,
      clock,
      watchdog,
      prompts,
      keepaliveMs: config.policy.keepaliveMs,
      musicDelayMs: config.queue.musicDelayMs,
      failureReasons: config.policy.failureReasons,
      log,
      identity: (req) => callerIdentityHeaders(req, config.sip.callerIdentity),
    });
    const calls = registry.all;
    // Several instances share agents, queue and calls through Redis; without it, nothing.
    const redis = config.state.redis;
    const shared = redis
      ? await SharedState.open({
          state: { ...config.state, redis },
          agents,
          calls,
          log,
          clock,
          silenceMs: Math.max(3000, 3 * config.media.lossMs),
        })
      : undefined;
    if (shared) cleanups.push(['shared state', () => shared.close()]);
    const router = new CallRouter(calls, agents, config, prompts.overflow, log, shared?.routing);
    const conversations = new ConversationBook();
    const opsEvents = new OpsEvents();
    const coordinator = new DisconnectCoordinator({
      agents,
      engagements,
      calls,
      router,
      notifications,
      conversations,
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
    const desk = new HandoverDesk({ agents, config, log });
    observeCalls({
      registry,
      engagements,
      coordinator,
      desk,
      router,
      drain,
      metrics,
      records,
      rtpengine,
      conversations,
      notifications,
      events: opsEvents,
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
        queueFull: () => router.queue.size >= config.queue.maxQueued,
        retryAfterS: config.queue.retryAfterS,
        queue: (c) => router.enqueue(c),
        log,
      }),
    );
    const probe = new RouteProbe();
    route(srf, 'options', (_req: SipRequest, res: SipResponse) =>
      res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REGISTER' } }),
    );
    const registrar = new Registrar(
      agents,
      new DigestAuth(config.sip.realm, shared ? await shared.digestOptions() : {}),
      {
        registered: (agent, changed) => {
          if (shared?.agentBack(agent)) return;
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
    await shared?.start({
      registry,
      engagements,
      dispatchSoon: () => router.dispatchSoon(),
      registeredElsewhere: (agent, changed) => {
        registrar.forget(agent.id);
        if (shared.agentBack(agent)) return;
        if (coordinator.absenceOf(agent.id) && changed) coordinator.back(agent.id, 're-register');
      },
      adoptRegistration: (r) => registrar.adopt(r.agentId, r.contact.expiresAt),
      runsRegistration: (id) => registrar.runs(id),
      sipServer: () => `${connect.host}:${connect.port}`,
      absenceOf: (id) => coordinator.absenceOf(id),
      sip: sipByStackId(srf),
      carryOn: (c) => adoptConnectedCall(c, { srf, ng, registry }),
      ng,
    });

    // A lost connection: /ready fails, the calls up then end once it is back.
    const sipLink = new SipConnectionWatch({
      srf,
      log,
      calls: () => calls.values(),
      onLost: () => probe.forget(),
    });
    cleanups.push(['SIP connection watch', () => sipLink.close()]);
    // Every handler is in place before drachtio-srf connects and sends its routes.
    const hostports = await connectSrf(srf, connect);
    if (!(await probe.run(srf)))
      log.warn("the SIP server has not taken holdfast's routes yet (no answer to a probe)");

    const readiness = new Readiness();
    readiness.add('drachtio', async () => {
      if (!sipLink.up) throw new Error('not connected to the SIP server');
      // Asked again until it answers: a server that came back takes the routes anew.
      if (!probe.routed && !(await probe.run(srf, 1000)))
        throw new Error('the SIP server has not taken our routes yet');
    });
    readiness.add('not draining', drain.readinessCheck);
    const board = new BoardStream({
      read: () => readBoard({ calls, agents, engagements, coordinator }),
      now: () => clock.now(),
      subscribe: (poke) => watchGateway({ registry, agents, engagements }, poke),
      events: (forward) => {
        opsEvents.on('event', forward);
        return () => opsEvents.off('event', forward);
      },
      timers: systemClock, // the stream's pacing is not one of the gateway's deadlines
      log,
    });
    cleanups.push(['board stream', () => board.close()]);
    // rtpengine supervision → logs, metrics, /ready, /health (replaces the 'rtpengine' check).
    cleanups.push([
      'rtpengine report',
      reportRtpengine({ rtpengine, readiness, metrics, log, ng }),
    ]);
    const api = new AgentApi({
      agents,
      engagements,
      conversations,
      desk,
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
      conversations,
      events: opsEvents,
      calls,
      notifications,
      coordinator,
      ng,
      log,
      metrics,
      drain,
      ...(shared ? { shared } : {}),
      stats: () => ({
        calls: registry.size,
        queued: router.queue.size,
        absences: coordinator.size,
        engagements: engagements.size,
        deadlines: clock.pending - registrar.size,
        registrations: registrar.size,
        watchedCalls: watchdog.watchedCalls,
        dialogs: srfDialogCount(srf),
      }),
      stop: () => (stopping ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** drachtio-srf keeps its dialogs in a private map; a leak there outlives every call. */
function srfDialogCount(srf: Srf): number {
  return (srf as unknown as { _dialogs?: Map<string, unknown> })._dialogs?.size ?? 0;
}
