import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import type { z } from 'zod';
import { AccessAction, BranchRequest, CreateSessionRequest, JoinRequest, scenarioText, teachingDocument, type HttpError, type Scenario, type ScenarioCatalog, type Presence, type SharedScenarioText } from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ServiceError, httpRefusal, httpStatus, invalidPayload, retryAfterSeconds } from '../session/service-error.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import { rateLimited, waitInWords, type Limits } from '../limits/limits.ts';
import { addressOf, countJoinAttempt, givesBackWhenFull, limitByAddress, limitNewSessions, type NewSessionRefusal } from './rate-limit.ts';
import type { MetricsEndpoint } from './metrics-endpoint.ts';
import type { OwnBots } from './own-bots.ts';
import { EncodedCache, encodeBody, sendEncoded } from './public-bodies.ts';
import type { Readiness } from './readiness.ts';

export interface RoutesDeps {
  config: Config;
  scenarios: ScenarioCatalog;
  directory: SessionDirectory;
  /** Whether the store answers, from probes in the background (readiness.ts). */
  readiness: Readiness;
  metrics: MetricsEndpoint;
  logger: Logger;
  limits: Limits;
  /** This process's own bots: the per-address limits pass them. */
  ownBots: OwnBots;
  presence: (sessionId: string) => Promise<Presence>;
  /** The scenario the session plays (for the text its views name): fixed for the session's life. */
  sessionScenario: (sessionId: string) => Scenario | Promise<Scenario>;
  /** An access key was revoked: its sockets are dropped, on every process, before this resolves. */
  revoked: (sessionId: string, key: string) => Promise<void>;
  /** Whether the store is Redis (so /healthz reports it). */
  redis: boolean;
  /** A new session was refused, by the store's cap or the address's budgets (counted in /metrics). */
  newSessionRefused: (reason: NewSessionRefusal) => void;
}

const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  // express.json leaves no body when the request does not say it is JSON (no Content-Type, or the
  // text/plain a bare fetch() or Python's `data=` sends): name that, not "expected object, received undefined".
  if (body === undefined) throw new ServiceError('invalid', 'Send the body as JSON, with "Content-Type: application/json".');
  const r = schema.safeParse(body);
  if (!r.success) throw invalidPayload(r.error);
  return r.data;
}

function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * When a request's token check must have its answer: the token's expiry read waits in the session's queue, so a
 * stalled store answers `unavailable` (503) within STORE_TIMEOUT_MS, as a hello's check does, not whenever it answers.
 */
function checkDeadline(config: Config): number {
  return performance.now() + config.storeTimeoutMs;
}

/** Refuses the request unless its bearer token is the facilitator's of the session the path names. */
function authorizeFacilitator(deps: RoutesDeps, req: Request): Promise<void> {
  return deps.directory.authorizeFacilitator(String(req.params.id), bearer(req), checkDeadline(deps.config));
}

/** Body parsing and the per-address limits of the routes that take a body or cost something. */
interface Middleware {
  json: express.RequestHandler;
  /** The per-address limit of the public GETs that still cost something (scenarios). */
  publicLimited: express.RequestHandler;
  /** Create, import, replay and branch: the per-address request limit, then its long budget of new sessions. */
  newSession: express.RequestHandler;
}

/** The REST API, health and metrics. Every body is validated; every error is JSON. */
export function apiRoutes(deps: RoutesDeps): Router {
  const router = express.Router();
  const mw: Middleware = { json: express.json({ limit: deps.config.maxPayloadBytes }),
    publicLimited: limitByAddress(deps.limits.publicPerAddress, deps.ownBots),
    newSession: limitNewSessions(deps.limits, deps.ownBots, deps.newSessionRefused),
  };

  // Session ids are nanoid's and scenario ids slugs (letters, digits, _ and -): anything else names nothing, and is not looked up.
  router.param('id', (req, _res, next, id: unknown) => {
    if (typeof id === 'string' && PLAIN_ID.test(id)) return next();
    next(new ServiceError('not_found', req.path.startsWith('/api/scenarios/') ? 'There is no such scenario.' : 'There is no such session.'));
  });

  scenarioRoutes(router, deps, mw);
  entryRoutes(router, deps, mw);
  sessionFileRoutes(router, deps, mw);
  sessionScenarioRoutes(router, deps);
  sessionRoutes(router, deps, mw);
  healthRoutes(router, deps);
  router.use(givesBackWhenFull);

  router.use('/api', (_req, _res, next) => next(new ServiceError('not_found', 'There is no such API route.')));
  return router;
}

/**
 * The scenario catalogue, each scenario's teaching layer, and the text its
 * views share: public, and each the same bytes for as long as the process
 * runs (scenarios are loaded once), so each is serialised and compressed
 * once (public-bodies.ts) and revalidated by its ETag. A stranger's request
 * then costs a lookup, where the teaching layer cost 5-6 ms of CPU
 * (docs/performance/analysis-log.md, "Public GETs made once").
 */
function scenarioRoutes(router: Router, deps: RoutesDeps, { publicLimited }: Middleware): void {
  const listing = new EncodedCache((catalog: ScenarioCatalog) => encodeBody(catalog.list()));
  const teaching = new EncodedCache((scenario: Scenario) => encodeBody(teachingDocument(scenario)));
  const text = new EncodedCache((scenario: Scenario) => {
    const shared = scenarioText(scenario);
    return encodeBody(shared.text, `"${shared.digest}"`);
  });

  router.get('/api/scenarios', publicLimited, (req, res) => {
    sendEncoded(req, res, listing.get(deps.scenarios), 'no-cache');
  });

  // The teaching layer for the printable guide and handouts: public, since it holds no per-beat briefing.
  // Its URL names no version, so a cache revalidates it (a 304 when unchanged).
  router.get('/api/scenarios/:id/teaching', publicLimited, (req, res) => {
    const scenario = deps.scenarios.get(String(req.params.id));
    if (!scenario) throw new ServiceError('not_found', `There is no scenario "${req.params.id}".`);
    sendEncoded(req, res, teaching.get(scenario), 'no-cache');
  });

  // The scenario's text every view shares, sent once instead of in every update (wire-view.ts in shared).
  // Asked for by its digest, it never changes: any cache may keep it.
  router.get('/api/scenarios/:id/v/:version', publicLimited, (req, res) => {
    const scenario = deps.scenarios.get(String(req.params.id));
    if (!scenario || String(scenario.version) !== req.params.version)
      throw new ServiceError('not_found', `There is no scenario "${req.params.id}" at version ${req.params.version}.`);
    const body = text.get(scenario);
    sendEncoded(req, res, body, req.query.digest === scenarioText(scenario).digest ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
}

/** Ways into a session: creating one, and joining one with a code. */
function entryRoutes(router: Router, deps: RoutesDeps, { json, newSession }: Middleware): void {
  const { config, directory, limits } = deps;
  router.post('/api/sessions', newSession, json, async (req, res) => {
    res.status(201).json(await directory.create(parse(CreateSessionRequest, req.body)));
  });

  // Bounded like a command: the limit check and the store's reads share STORE_TIMEOUT_MS from here.
  router.post('/api/join', async (req, res) => {
    const deadline = checkDeadline(config);
    // The body is read once the join is counted, so that malformed ones are limited too (as `newSession` does elsewhere).
    const join = async () => {
      await new Promise<void>((resolve, reject) => json(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      return directory.join(parse(JoinRequest, req.body).code, deadline);
    };
    res.json(await (deps.ownBots.carries(req.headers) ? join() : countJoinAttempt(limits, addressOf(req), { deadline, late: () => directory.lateRefusal() }, join)));
  });
}

/** Session files: importing one to play on, or opening one as a replay. */
function sessionFileRoutes(router: Router, deps: RoutesDeps, { newSession }: Middleware): void {
  const { config, directory, limits } = deps;
  // Session files carry a whole log, so they get their own (larger) limit. They are read as bytes and
  // checked in a worker thread (a file that is not JSON is refused with the line and column of the fault).
  const fileBody = express.raw({ type: () => true, limit: config.maxImportBytes });
  // The bytes each upload reserved of its address's hourly budget before its body was read.
  const reservations = new WeakMap<Request, number>();
  const reserve = reserveUploadBytes(limits, config.maxImportBytes, reservations);
  const upload = async (req: Request): Promise<Uint8Array> => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The reservation was made before the body was read: the bytes it did not arrive with are given back.
    const reserved = reservations.get(req) ?? 0;
    reservations.delete(req);
    if (body.length < reserved) void limits.importBytes.giveBack(addressOf(req), reserved - body.length);
    else if (body.length > reserved) await takeImportBytes(limits, addressOf(req), body.length - reserved);
    return body;
  };
  router.post('/api/sessions/import', newSession, reserve, fileBody, async (req, res) => {
    res.status(201).json(await directory.import(await upload(req)));
  });

  router.post('/api/replays', newSession, reserve, fileBody, async (req, res) => {
    res.status(201).json(await directory.openReplay(await upload(req)));
  });
}

/** Counts `bytes` against the address's hourly allowance of imported bytes, or refuses the request. */
async function takeImportBytes(limits: Limits, address: string, bytes: number): Promise<void> {
  const verdict = await limits.importBytes.take(address, bytes);
  if (!verdict.allowed)
    throw rateLimited(`This address has imported all it may this hour; try again in ${waitInWords(verdict.retryAfterMs)}.`, verdict.retryAfterMs);
}

/**
 * Verifying a file costs about in proportion to its size, so the hourly allowance is in bytes, valid or not. It is
 * counted before the body is read, by what the request says it will send: counted after, every upload an address
 * had under way was held whole in memory first (100 at once, its request budget, were 500 MB at the default
 * MAX_IMPORT_BYTES) and only then refused. A body that is compressed or sent without a length may come to
 * MAX_IMPORT_BYTES, so that is what it reserves; the part of a reservation the body did not use is given back.
 * A declared length over MAX_IMPORT_BYTES reserves nothing: express.raw refuses it 413 before reading it.
 */
function reserveUploadBytes(limits: Limits, maxBytes: number, reservations: WeakMap<Request, number>): express.RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.get('content-length') ?? Number.NaN);
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    const exact = encoding === 'identity' && Number.isSafeInteger(declared) && declared >= 0;
    if (exact && declared > maxBytes) return next();
    const reserved = exact ? declared : maxBytes;
    takeImportBytes(limits, addressOf(req), reserved).then(() => {
      reservations.set(req, reserved);
      next();
    }, next);
  };
}

/** A session's scenario (for its facilitator) and the text its views name (for any of its tokens). */
function sessionScenarioRoutes(router: Router, deps: RoutesDeps): void {
  const { directory } = deps;
  // The session's scenario in full (every seat's briefings and the rules), so the facilitator's browser can
  // rebuild any moment of the session with the engine itself: the replay viewer and the report.
  router.get('/api/sessions/:id/scenario', async (req, res) => {
    const sessionId = String(req.params.id);
    await authorizeFacilitator(deps, req);
    res.json(await directory.scenarioOf(sessionId));
  });

  // The text the session's views name, with its digest, for any token of the session: a page opening
  // cold asks for it beside its socket's handshake and hello instead of after them (docs/protocol.md).
  // The same bytes for every session of a scenario version: made and compressed once (public-bodies.ts),
  // revalidated by ETag, but only after the token is checked, so a 304 tells a stranger nothing.
  const texts = new EncodedCache((scenario: Scenario) => {
    const shared: SharedScenarioText = scenarioText(scenario);
    return encodeBody(shared, `"s-${shared.digest}"`);
  });
  router.get('/api/sessions/:id/text', async (req, res) => {
    const sessionId = String(req.params.id);
    const token = bearer(req);
    if (token === undefined) throw new ServiceError('unauthorized', 'Send your token as "Authorization: Bearer <token>".');
    const grant = await directory.authenticate(token, checkDeadline(deps.config));
    if (grant.sessionId !== sessionId) throw new ServiceError('forbidden', 'This token belongs to another session.');
    const scenario = deps.sessionScenario(sessionId);
    // Answered per token: no shared cache may keep it; the browser keeps it and asks again with its ETag.
    sendEncoded(req, res, texts.get(scenario instanceof Promise ? await scenario : scenario), 'private, no-cache');
  });
}

/** One session's other routes, each for its own tokens: "view as", branching, its summary and codes, and its export. */
function sessionRoutes(router: Router, deps: RoutesDeps, { json, newSession }: Middleware): void {
  const { directory, presence } = deps;
  // "View as": exactly what one seat (or an observer) sees now, computed by the same view function.
  router.get('/api/sessions/:id/view-as/:viewer', async (req, res) => {
    const sessionId = String(req.params.id);
    await authorizeFacilitator(deps, req);
    res.json(await directory.viewAs(sessionId, String(req.params.viewer)));
  });

  router.post('/api/sessions/:id/branch', newSession, json, async (req, res) => {
    const sessionId = String(req.params.id);
    await authorizeFacilitator(deps, req);
    const { version, title } = parse(BranchRequest, req.body);
    res.status(201).json(await directory.branch(sessionId, version, title));
  });

  router.get('/api/sessions/:id', async (req, res) => {
    const sessionId = req.params.id;
    await authorizeFacilitator(deps, req);
    res.json(await directory.summary(sessionId, await presence(sessionId)));
  });

  // Revoke (or revoke and re-issue) one code and every token redeemed from it.
  router.post('/api/sessions/:id/access/:key/:action', async (req, res) => {
    const { id: sessionId, key } = req.params;
    const action = AccessAction.safeParse(req.params.action);
    if (!action.success) throw new ServiceError('not_found', 'There is no such API route.');
    await authorizeFacilitator(deps, req);
    const access = await directory.changeAccess(sessionId, key, action.data);
    await deps.revoked(sessionId, key);
    res.json(access);
  });

  router.get('/api/sessions/:id/export', async (req, res) => {
    const sessionId = req.params.id;
    await authorizeFacilitator(deps, req);
    const text = await directory.export(sessionId);
    res.setHeader('Content-Disposition', `attachment; filename="rubicon-${sessionId.replace(/[^A-Za-z0-9_-]/g, '')}.json"`);
    // What res.json sent when this route made the file itself: the same type, and Express's ETag and 304 from send.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(Buffer.from(text.buffer, text.byteOffset, text.byteLength));
  });
}

/** Liveness, readiness, and /metrics when it is served on this port. */
function healthRoutes(router: Router, deps: RoutesDeps): void {
  const { readiness, metrics } = deps;
  // Liveness: the process answers (its event loop runs). Never depends on Redis,
  // so an orchestrator does not restart healthy processes during a Redis outage.
  router.get('/healthz/live', (_req, res) => {
    res.json({ status: 'ok', live: true });
  });

  // Readiness: the store answers too. From the background probes' last answer, waiting 50 ms at most
  // (readiness.ts): never a round trip of its own behind the request.
  const ready: express.RequestHandler = async (_req, res) => {
    const storeOk = await readiness.ready();
    const backend = deps.redis ? 'redis' : 'memory';
    res.status(storeOk ? 200 : 503).json({
      status: storeOk ? 'ok' : 'down',
      live: true,
      ready: storeOk,
      store: backend,
      redis: backend === 'memory' ? 'absent' : storeOk ? 'ok' : 'down',
    });
  };
  router.get('/healthz/ready', ready);
  router.get('/healthz', ready);

  // Only with METRICS_TOKEN (and that token); otherwise /metrics is not on this port (see MetricsEndpoint).
  const onPublicPort = metrics.onPublicPort;
  if (onPublicPort) router.get('/metrics', (req, res, next) => void onPublicPort(req, res, addressOf(req)).then((served) => served || next(), next));
}

/** The last handlers: unknown routes and every error, as `{error: {code, message}}`. */
export function errorHandlers(logger: Logger): { notFound: express.RequestHandler; onError: ErrorRequestHandler } {
  const log = logger.child({ module: 'http' });
  const send = (res: express.Response, status: number, body: HttpError) => res.status(status).json(body);
  return {
    notFound: (_req, res) => {
      send(res, 404, { error: { code: 'not_found', message: 'Not found.' } });
    },
    onError: (err: unknown, req, res, _next) => {
      const refusal = httpRefusal(err);
      if (refusal) {
        const { retryAfterMs, where, seq } = refusal.extra;
        if (retryAfterMs !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds(retryAfterMs)));
        return void send(res, httpStatus(refusal.code), {
          error: { code: refusal.code, message: refusal.message, ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) },
        });
      }
      const client = clientError(err);
      if (client) return void send(res, client.status, { error: { code: client.code, message: client.message } });
      log.error({ err, method: req.method, path: req.path }, 'request failed');
      if (res.headersSent) return;
      send(res, 500, { error: { code: 'internal', message: 'Something went wrong on the server.' } });
    },
  };
}

/** A header's value body-parser names in its error, quoted and cut short (it comes from the request). */
function headerValue(err: object, key: 'charset' | 'encoding'): string {
  const value: unknown = Reflect.get(err, key);
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : '(unnamed)';
}

/**
 * Errors Express, its router and body-parser raise for a bad request (a body
 * too large or not JSON, a path with broken percent-encoding): the client's
 * fault, answered with a typed 4xx and not logged as a failure.
 */
function clientError(err: unknown): { status: number; code: 'invalid' | 'too_large' | 'not_found'; message: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const type = 'type' in err ? err.type : undefined;
  if (type === 'entity.too.large') return { status: 413, code: 'too_large', message: 'The request body is too large.' };
  if (type === 'entity.parse.failed') return { status: 400, code: 'invalid', message: 'The request body is not valid JSON.' };
  // The body may be valid JSON in a form this server does not read: say which, or a client hunts for a syntax error.
  if (type === 'charset.unsupported')
    return { status: 400, code: 'invalid', message: `The body's charset ${headerValue(err, 'charset')} is not supported; send the JSON in UTF-8.` };
  if (type === 'encoding.unsupported') {
    const encoding = headerValue(err, 'encoding');
    return { status: 400, code: 'invalid', message: `The body's Content-Encoding ${encoding} is not supported; send it uncompressed, or as gzip, deflate or br.` };
  }
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  if (err instanceof URIError && status === 400) return { status: 400, code: 'invalid', message: 'The address is not valid (broken %-encoding).' };
  if (status === 404) return { status: 404, code: 'not_found', message: 'Not found.' };
  if (status === 413) return { status: 413, code: 'too_large', message: 'The request is too large.' };
  if (status !== undefined && status >= 400 && status < 500) return { status, code: 'invalid', message: 'The request is not valid.' };
  return null;
}
