import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import compression from 'compression';
import express from 'express';
import { seatsInPlay, type Scenario, type ScenarioCatalog } from '@rubicon/shared';
import { seatBotUnavailable } from '@rubicon/shared/bots';
import { nanoid } from 'nanoid';
import { serverScenarios } from './scenarios.ts';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { StoredSessions, registerStoredSessions } from './stored-sessions-metrics.ts';
import { apiRoutes, errorHandlers } from './http/routes.ts';
import { isPreEncoded } from './http/public-bodies.ts';
import { staticClient } from './http/static-client.ts';
import { SessionDirectory } from './session/session-directory.ts';
import { ImportVerifier } from './session/import-pipeline.ts';
import { compileTrustProxy, trustsAnyone, type TrustProxy } from './http/client-address.ts';
import { OwnBots } from './http/own-bots.ts';
import { MetricsEndpoint } from './http/metrics-endpoint.ts';
import { hostGuard, hostPolicy, metricsHostPolicy, metricsHostsWarning, refuseForeignHosts, type HostPolicy } from './http/host-check.ts';
import { Readiness } from './http/readiness.ts';
import { storeSteps } from './shutdown.ts';
import { PLAIN_SECURITY_HEADERS, securityHeaders } from './http/security-headers.ts';
import { Limits } from './limits/limits.ts';
import { ProcessCount } from './limits/process-count.ts';
import type { RedisClientType } from 'redis';
import { SessionService } from './session/session-service.ts';
import { createSocketServer, type SocketServer } from './socket/socket-server.ts';
import type { RubiconServer } from './socket/types.ts';
import { createStores, type Stores } from './store/index.ts';
import { startTokenIndexMigration } from './store/token-index-migration.ts';
import { systemClock, type Clock } from './store/types.ts';
import { createTimerHandler } from './timers.ts';
import { BotManager } from './bots/bot-manager.ts';
import { DEFAULT_DELAYS } from './bots/bot-player.ts';
import { llmBrain } from './bots/llm-brain.ts';
import { botRoutes, llmAvailability } from './bots/bot-routes.ts';
import { MemoryBotLeases, RedisBotLeases } from './bots/bot-leases.ts';

export interface AppDeps {
  clock?: Clock;
  logger?: Logger;
  /** The scenarios to serve; by default the files in shared/scenarios/. */
  scenarios?: ScenarioCatalog;
  /** Ready-made stores (a test's fake); otherwise built from the configuration. */
  stores?: Stores;
}

export interface App {
  config: Config;
  httpServer: HttpServer;
  io: RubiconServer;
  service: SessionService;
  directory: SessionDirectory;
  metrics: Metrics;
  logger: Logger;
  bots: BotManager;
  /** Starts listening; resolves with the base URL (the real port when the configured one is 0). */
  listen(): Promise<string>;
  /** The separate metrics listener's URL once listening (METRICS_PORT), or null. */
  metricsUrl(): string | null;
  /**
   * Stops accepting, stops the timers, closes sockets, stores snapshots and
   * closes the stores. `flush: false` skips the snapshots, and leaves the
   * sockets' places under their tokens in Redis, to stand in for a killed
   * process in tests.
   */
  close(options?: { flush?: boolean }): Promise<void>;
}

/** The game itself, before any listener: stores, the session service, the directory of sessions. */
interface Core {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  scenarios: ScenarioCatalog;
  stores: Stores;
  service: SessionService;
  directory: SessionDirectory;
  /** The long jobs' worker threads, kept between jobs; stopped on close. */
  imports: ImportVerifier;
}

/** Wires one server process: stores, game service, REST, sockets, timers. Nothing is global. */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const core = await createCore(config, deps);
  const { logger, metrics, stores, service, directory, imports } = core;
  const { limits, trustProxy, processes } = requestGuards(config, core);
  const ownBots = new OwnBots();
  const hosts = hostsOf(config);
  const metricsEndpoint = new MetricsEndpoint(metrics, config.metrics, limits.metricsFailures, metricsHostGuard(config, logger));
  const readiness = startReadiness(stores, config);

  const web = webStack(config, trustProxy, hosts, logger);
  const httpServer = createServer(web);
  const sockets = createSocketServer({ httpServer, config, hosts, service, directory, logger, metrics, limits, trustProxy, ownBots, redis: stores.adapterClient, storeRedis: stores.redis, clock: core.clock });
  sockets.io.engine.on('headers', (headers: Record<string, string>) => Object.assign(headers, PLAIN_SECURITY_HEADERS));
  mountRoutes(web, config, core, { limits, metricsEndpoint, sockets, ownBots, readiness });

  stores.scheduler.start(createTimerHandler(service, logger));
  // Off the start's path: the process serves while it runs (once per deployment).
  const tokenIndex = startTokenIndexMigration(stores.store, logger);
  const bots = createBots(config, core, ownBots);
  // An import or a branch may start with seats already played by bots.
  directory.onCreatedFromLog((sessionId, wanted) => bots.adopt(sessionId, wanted));

  let closing: Promise<void> | null = null;
  let metricsUrl: string | null = null;
  return {
    config,
    httpServer,
    io: sockets.io,
    service,
    directory,
    metrics,
    logger,
    bots,
    metricsUrl: () => metricsUrl,
    listen: async () => {
      metricsUrl = await metricsEndpoint.listen();
      if (metricsUrl) logger.info({ metricsUrl }, 'metrics are served on their own port');
      return listenOn(httpServer, config, bots);
    },
    close: (options = {}) => {
      closing ??= (async () => {
        const flush = options.flush ?? true;
        const untilStoreDown = storeSteps(stores.untilDown(), logger);
        await untilStoreDown(tokenIndex?.stop() ?? Promise.resolve());
        // The scheduler first, so no deadline fires into a half-closed service.
        await untilStoreDown(stores.scheduler.stop());
        await untilStoreDown(bots.close({ release: flush }));
        // io.close() also stops the HTTP server from accepting and disconnects every socket.
        await untilStoreDown(sockets.close({ release: flush }));
        await metricsEndpoint.close();
        readiness.stop();
        processes?.close();
        await imports.close();
        if (flush) await untilStoreDown(service.flush().catch((err: unknown) => logger.error({ err }, 'storing snapshots on shutdown failed')));
        await untilStoreDown(stores.close());
        httpServer.closeAllConnections();
      })();
      return closing;
    },
  };
}

/**
 * With Redis, probed in the background so /healthz/ready never waits on a round trip; the memory store answers at
 * once. Overdue when the PING's own timeout (store/index.ts) fails it.
 */
function startReadiness(stores: Stores, config: Config): Readiness {
  const readiness = new Readiness(stores.store, { overdueMs: Math.min(400, config.storeTimeoutMs) });
  if (stores.redis) readiness.start();
  return readiness;
}

async function createCore(config: Config, deps: AppDeps): Promise<Core> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config);
  const metrics = createMetrics();
  const scenarios = deps.scenarios ?? serverScenarios();
  const stores =
    deps.stores ??
    (await createStores({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      clock,
      pollMs: config.timerPollMs,
      commandTimeoutMs: config.storeTimeoutMs,
      logger,
      // Down while not ready (a slow readiness PING too); an outage counted as its error line is written.
      onOutage: (event) => {
        metrics.redisDown.set(event === 'up' ? 0 : 1);
        if (event === 'down') metrics.redisOutages.inc();
      },
      onError: (err) => logger.error({ err }, 'storage or scheduler error'),
    }));

  const llm = llmAvailability(config.llm);
  const service = new SessionService({
    store: stores.store,
    scheduler: stores.scheduler,
    clock,
    logger,
    metrics,
    snapshotEvery: config.snapshotEvery,
    storeTimeoutMs: config.storeTimeoutMs,
    maxBatch: config.appendBatchMax,
    logCap: config.logCap,
    retention: config.retention,
    maxSessions: config.maxSessions,
    scenarios: (id) => scenarios.get(id),
    admission: (command) => (command.type === 'SET_SEAT_BOT' ? seatBotUnavailable(command.bot, llm) : null),
  });
  // The store's fill for /metrics, read at scrape time; bounded like a command, never counted as an outage.
  registerStoredSessions(metrics.registry, new StoredSessions((ms) => stores.store.countSessions(ms), config.storeTimeoutMs), config.maxSessions);
  const imports = new ImportVerifier({ scenarios: () => scenarios.all(), timeoutMs: 120_000, logger });
  const directory = new SessionDirectory(service, clock, logger, imports, config.access);
  return { clock, logger, metrics, scenarios, stores, service, directory, imports };
}

/** The processes sharing Redis, from the token sockets' leases (read as often as they are renewed); null without Redis (one). */
function processCount(config: Config, redis: RedisClientType | null): ProcessCount | null {
  if (!redis) return null;
  return new ProcessCount(redis, `${config.redisPrefix}token-sockets:leases`, Math.max(1, Math.floor(config.tokenSocketsLeaseMs / 3)));
}

/** Rate limits, and whose X-Forwarded-For is believed when telling a client's address. */
function requestGuards(config: Config, { stores, metrics, logger }: Core): { limits: Limits; trustProxy: TrustProxy; processes: ProcessCount | null } {
  const processes = processCount(config, stores.redis);
  const limits = new Limits(config.limits, {
    redis: stores.redis,
    prefix: config.redisPrefix,
    // A limit check sits in front of every command: when Redis is slow, this process's own count decides soon.
    timeoutMs: Math.min(250, config.storeTimeoutMs),
    processes: () => processes?.get() ?? 1,
  }, () => metrics.commandLimitRoundTrips.inc());
  const trustProxy = compileTrustProxy(config.trustProxy);
  if (trustsAnyone(config.trustProxy))
    logger.warn(
      { trustProxy: config.trustProxy },
      'TRUST_PROXY believes X-Forwarded-For from any client: only safe when nothing but the proxy can reach this port (name the proxy instead, e.g. TRUST_PROXY=uniquelocal)',
    );
  return { limits, trustProxy, processes };
}

/** The names this server answers to (host-check.ts), from the configuration and the machine's own name. */
function hostsOf(config: Config): HostPolicy {
  const { allowedHosts, publicUrl, host: bindHost, allowedOrigins } = config;
  return hostPolicy({ allowedHosts, publicUrl, bindHost, allowedOrigins, machineName: hostname() });
}

/**
 * The metrics listener answers to its own names only (metricsHostPolicy), never to ALLOWED_ORIGINS' partners.
 * Said at start: METRICS_HOSTS=all turning its check off when nothing else guards it, and ALLOWED_HOSTS names
 * it no longer answers to (metricsHostsWarning).
 */
function metricsHostGuard(config: Config, logger: Logger): (host: string | undefined, path: string) => string | null {
  const { port, token, host, hosts } = config.metrics;
  const settings = { metricsHosts: hosts, bindHost: host, machineName: hostname() };
  if (hosts === 'all' && port !== undefined && token === undefined)
    logger.warn(
      { metricsHost: host },
      'METRICS_HOSTS=all turns the Host check off on the METRICS_PORT listener, which has no METRICS_TOKEN: a DNS-rebinding page in a browser that reaches it can read /metrics (set METRICS_TOKEN, or list the names in METRICS_HOSTS instead)',
    );
  const unlisted = port === undefined ? null : metricsHostsWarning(config.allowedHosts, settings);
  if (unlisted) logger.warn({ allowedHosts: config.allowedHosts, metricsHosts: hosts }, unlisted);
  return hostGuard(metricsHostPolicy(settings), logger, 'METRICS_HOSTS');
}

/** Express with the middleware every answer passes through: security headers, the Host check and compression. */
function webStack(config: Config, trustProxy: TrustProxy, hosts: HostPolicy, logger: Logger): express.Express {
  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', trustProxy);
  web.use(securityHeaders({ publicUrl: config.publicUrl }));
  // After the headers, so a refusal carries them too; before every route, /healthz and /metrics included.
  web.use(refuseForeignHosts(hosts, logger));
  // brotli (quality 4) or gzip for the API's JSON and the page (a third of their size or less on a slow
  // phone link); the built assets go out as the build compressed them (static-client.ts). Socket.IO's
  // polling and upgrade go through the HTTP server's own handler, not Express, so this leaves them alone.
  // Bodies made and compressed once (public-bodies.ts) are sent as they are.
  web.use(compression({ threshold: 1024, filter: (req, res) => !isPreEncoded(res) && compression.filter(req, res) }));
  return web;
}

/** The bots' routes, the API, the built client, then the handlers for what none of them answered. */
function mountRoutes(
  web: express.Express,
  config: Config,
  { scenarios, directory, stores, logger, service, metrics }: Core,
  { limits, metricsEndpoint, sockets, ownBots, readiness }: { limits: Limits; metricsEndpoint: MetricsEndpoint; sockets: SocketServer; ownBots: OwnBots; readiness: Readiness },
): void {
  // Before the API's catch-all for unknown /api routes.
  web.use(botRoutes({ scenarios, llm: config.llm }));
  web.use(
    apiRoutes({
      config,
      scenarios,
      directory,
      readiness,
      metrics: metricsEndpoint,
      logger,
      limits,
      ownBots,
      redis: stores.redis !== null,
      newSessionRefused: (reason) => metrics.newSessionRefusals.inc({ reason }),
      revoked: (sessionId, key) => sockets.revoke(sessionId, key),
      // A session's scenario never changes: this process's copy, however far behind its log, names it.
      sessionScenario: (sessionId) => service.peek(sessionId)?.game.scenario ?? service.withSession(sessionId, (s) => s.game.scenario),
      presence: async (sessionId) => {
        const game = await service.withSession(sessionId, (s) => s.game);
        return sockets.presence.count(sessionId, seatsInPlay(game.scenario, game.setup));
      },
    }),
  );
  const client = staticClient(config.clientDist);
  if (client) web.use(client);
  else logger.info({ clientDist: config.clientDist }, 'no built client found; serving the API only');
  const { notFound, onError } = errorHandlers(logger);
  web.use(notFound);
  web.use(onError);
}

function createBots(config: Config, { service, logger, stores }: Core, ownBots: OwnBots): BotManager {
  return new BotManager({
    service,
    logger,
    delays: { ...DEFAULT_DELAYS, ...config.botDelays },
    llmBrain: config.llm ? ((llm) => (_scenario: Scenario, seat: string) => llmBrain(llm, seat, logger))(config.llm) : null,
    leases: stores.redis ? new RedisBotLeases(stores.redis, config.redisPrefix, nanoid(), config.botLeaseMs) : new MemoryBotLeases(),
    scanMs: Math.max(100, Math.floor(config.botLeaseMs / 3)),
    headers: ownBots.headers,
  });
}

/** Resolves with the base URL once listening (the real port when the configured one is 0). */
function listenOn(httpServer: HttpServer, config: Config, bots: BotManager): Promise<string> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      const { port } = httpServer.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      // Bots are clients of this very listener.
      bots.listening(`http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`);
      resolve(`http://${host}:${port}`);
    });
  });
}
