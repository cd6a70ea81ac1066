import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import type { z } from 'zod';
import { AccessAction, BranchRequest, CreateSessionRequest, JoinRequest, teachingDocument, type HttpError, type ScenarioCatalog, type Presence } from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, SessionStore } from '../store/types.ts';
import { ServiceError, asServiceError, httpStatus, invalidPayload } from '../session/service-error.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import { rateLimitByAddress } from './rate-limit.ts';
import type { ImportQuota } from './import-quota.ts';

export interface RoutesDeps {
  config: Config;
  scenarios: ScenarioCatalog;
  directory: SessionDirectory;
  store: SessionStore;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
  presence: (sessionId: string) => Promise<Presence>;
  /** An access key was revoked: its sockets are dropped, on every process. */
  revoked: (sessionId: string, key: string) => void;
  /** Whether the store is Redis (so /healthz reports it). */
  redis: boolean;
  importQuota: ImportQuota;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw invalidPayload(r.error);
  return r.data;
}

function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** The REST API, health and metrics. Every body is validated; every error is JSON. */
export function apiRoutes(deps: RoutesDeps): Router {
  const { config, directory, store, metrics, presence } = deps;
  const router = express.Router();
  const json = express.json({ limit: config.maxPayloadBytes });
  const limited = rateLimitByAddress({ ...config.httpRateLimit, clock: deps.clock });

  router.get('/api/scenarios', (_req, res) => {
    res.json(deps.scenarios.list());
  });

  // The teaching layer for the printable guide and handouts: public, since it holds no per-beat briefing.
  router.get('/api/scenarios/:id/teaching', (req, res) => {
    const scenario = deps.scenarios.get(req.params.id);
    if (!scenario) throw new ServiceError('not_found', `There is no scenario "${req.params.id}".`);
    res.json(teachingDocument(scenario));
  });

  router.post('/api/sessions', limited, json, async (req, res) => {
    res.status(201).json(await directory.create(parse(CreateSessionRequest, req.body)));
  });

  router.post('/api/join', limited, json, async (req, res) => {
    res.json(await directory.join(parse(JoinRequest, req.body).code));
  });

  // Session files carry a whole log, so they get their own (larger) limit. They are read as bytes and
  // checked in a worker thread (a file that is not JSON is refused with the line and column of the fault).
  const fileBody = express.raw({ type: () => true, limit: config.maxImportBytes });
  const upload = async (req: Request): Promise<Uint8Array> => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await deps.importQuota.take(req.ip ?? 'unknown', body.length);
    return body;
  };
  router.post('/api/sessions/import', limited, fileBody, async (req, res) => {
    res.status(201).json(await directory.import(await directory.verify(await upload(req))));
  });

  router.post('/api/replays', limited, fileBody, async (req, res) => {
    res.status(201).json(await directory.openReplay(await directory.verify(await upload(req))));
  });

  // The session's scenario in full (every seat's briefings and the rules), so the facilitator's browser can
  // rebuild any moment of the session with the engine itself: the replay viewer and the report.
  router.get('/api/sessions/:id/scenario', async (req, res) => {
    const sessionId = String(req.params.id);
    await directory.authorizeFacilitator(sessionId, bearer(req));
    res.json(await directory.scenarioOf(sessionId));
  });

  // "View as": exactly what one seat (or an observer) sees now, computed by the same view function.
  router.get('/api/sessions/:id/view-as/:viewer', async (req, res) => {
    const sessionId = String(req.params.id);
    await directory.authorizeFacilitator(sessionId, bearer(req));
    res.json(await directory.viewAs(sessionId, String(req.params.viewer)));
  });

  router.post('/api/sessions/:id/branch', limited, json, async (req, res) => {
    const sessionId = String(req.params.id);
    await directory.authorizeFacilitator(sessionId, bearer(req));
    const { version, title } = parse(BranchRequest, req.body);
    res.status(201).json(await directory.branch(sessionId, version, title));
  });

  router.get('/api/sessions/:id', async (req, res) => {
    const sessionId = req.params.id;
    await directory.authorizeFacilitator(sessionId, bearer(req));
    res.json(await directory.summary(sessionId, await presence(sessionId)));
  });

  // Revoke (or revoke and re-issue) one code and every token redeemed from it.
  router.post('/api/sessions/:id/access/:key/:action', async (req, res) => {
    const { id: sessionId, key } = req.params;
    const action = AccessAction.safeParse(req.params.action);
    if (!action.success) throw new ServiceError('not_found', 'There is no such API route.');
    await directory.authorizeFacilitator(sessionId, bearer(req));
    const access = await directory.changeAccess(sessionId, key, action.data);
    deps.revoked(sessionId, key);
    res.json(access);
  });

  router.get('/api/sessions/:id/export', async (req, res) => {
    const sessionId = req.params.id;
    await directory.authorizeFacilitator(sessionId, bearer(req));
    const file = await directory.export(sessionId);
    res.setHeader('Content-Disposition', `attachment; filename="rubicon-${sessionId.replace(/[^A-Za-z0-9_-]/g, '')}.json"`);
    res.json(file);
  });

  // Liveness: the process answers (its event loop runs). Never depends on Redis,
  // so an orchestrator does not restart healthy processes during a Redis outage.
  router.get('/healthz/live', (_req, res) => {
    res.json({ status: 'ok', live: true });
  });

  // Readiness: the store answers too, within a bound, so this never takes longer than ~400 ms.
  const ready: express.RequestHandler = async (_req, res) => {
    const storeOk = await store.ping().catch(() => false);
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

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  router.use('/api', (_req, _res, next) => next(new ServiceError('not_found', 'There is no such API route.')));
  return router;
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
      const refusal = asServiceError(err);
      if (refusal) {
        const { retryAfterMs, where, seq } = refusal.extra;
        if (retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
        return void send(res, httpStatus(refusal.code), {
          error: { code: refusal.code, message: refusal.message, ...(where === undefined ? {} : { where }), ...(seq === undefined ? {} : { seq }) },
        });
      }
      const type = typeof err === 'object' && err !== null && 'type' in err ? err.type : undefined;
      if (type === 'entity.too.large') return void send(res, 413, { error: { code: 'too_large', message: 'The request body is too large.' } });
      if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported')
        return void send(res, 400, { error: { code: 'invalid', message: 'The request body is not valid JSON.' } });
      log.error({ err, method: req.method, path: req.path }, 'request failed');
      if (res.headersSent) return;
      send(res, 500, { error: { code: 'internal', message: 'Something went wrong on the server.' } });
    },
  };
}
