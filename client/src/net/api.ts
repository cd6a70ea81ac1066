import type { AccessAction, AccessCode, CreateSessionRequest, CreateSessionResponse, GameView, JoinResponse, WireMessage, Scenario, ScenarioListing, SessionFile, SessionSummary, TeachingDocument } from '@rubicon/shared';
import type { BotOptions } from '@rubicon/shared/bots';
import { JOIN_CODE_LENGTH } from '@rubicon/shared/limits';
import { observeDateHeader } from './clock.ts';

/** The REST side of the server. Every function throws an `ApiError` with a message fit to show. */

export type ScenarioSummary = ScenarioListing;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const sentAt = Date.now();
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'unavailable', 'The server cannot be reached. Check the network and try again.');
  }
  observeDateHeader(res.headers.get('Date'), sentAt, Date.now());
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'internal', err?.message ?? `The server answered ${res.status}.`);
  }
  return data as T;
}

export function listScenarios(): Promise<ScenarioSummary[]> {
  return request('GET', '/api/scenarios');
}

/** The teaching layer for the printable guide and handouts. */
export function teachingDocument(scenarioId: string): Promise<TeachingDocument> {
  return request('GET', `/api/scenarios/${encodeURIComponent(scenarioId)}/teaching`);
}

/** Who can take a seat: the scenario's personas, and a language model if this server has one. */
export function botOptions(scenarioId: string): Promise<BotOptions> {
  return request('GET', `/api/scenarios/${encodeURIComponent(scenarioId)}/bots`);
}

export function createSession(body: CreateSessionRequest): Promise<CreateSessionResponse> {
  return request('POST', '/api/sessions', body);
}

export function joinWithCode(code: string): Promise<JoinResponse> {
  return request('POST', '/api/join', { code });
}

/**
 * Revokes one code (a seat id, `observer` or `facilitator`) and every token redeemed from it; `reissue` also makes a new code.
 * `owner` is the creator's token, which has no code and can only be re-issued: the old token stops working at once (its
 * sockets are dropped) and the answer's `token` is the new one, for the browser that held the old one to keep.
 */
export function changeAccess(sessionId: string, key: string, action: AccessAction, facilitatorToken: string): Promise<AccessCode> {
  return request('POST', `/api/sessions/${encodeURIComponent(sessionId)}/access/${encodeURIComponent(key)}/${action}`, {}, facilitatorToken);
}

export function sessionSummary(sessionId: string, facilitatorToken: string): Promise<SessionSummary> {
  return request('GET', `/api/sessions/${encodeURIComponent(sessionId)}`, undefined, facilitatorToken);
}

/** The session file, as a Blob ready to download. */
export async function exportSession(sessionId: string, facilitatorToken: string): Promise<Blob> {
  const res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/export`, {
    headers: { Authorization: `Bearer ${facilitatorToken}` },
  }).catch(() => null);
  if (!res) throw new ApiError(0, 'unavailable', 'The server cannot be reached.');
  if (!res.ok) throw new ApiError(res.status, 'internal', `Export failed (${res.status}).`);
  return res.blob();
}

/** Join codes: JOIN_CODE_LENGTH characters, case-insensitive; we show and send them upper-case without spaces or dashes. */
export function normalizeCode(input: string): string {
  return input.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, JOIN_CODE_LENGTH);
}

/** A refused session file names the check that failed and where in the file. */
export class FileRefusedError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly where: string | null,
  ) {
    super(status, code, message);
    this.name = 'FileRefusedError';
  }
}

/** Sends a session file's text as it is, so the server can point at a JSON syntax error. */
async function postFile(path: string, text: string): Promise<CreateSessionResponse> {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: text }).catch(() => null);
  if (!res) throw new ApiError(0, 'unavailable', 'The server cannot be reached. Check the network and try again.');
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; where?: string } } | CreateSessionResponse | null;
  if (!res.ok) {
    const err = data && 'error' in data ? data.error : undefined;
    throw new FileRefusedError(res.status, err?.code ?? 'internal', err?.message ?? `The server answered ${res.status}.`, err?.where ?? null);
  }
  return data as CreateSessionResponse;
}

/** Opens a read-only replay of a session file. */
export function openReplay(text: string): Promise<CreateSessionResponse> {
  return postFile('/api/replays', text);
}

export function branchSession(sessionId: string, token: string, version: number, title?: string): Promise<CreateSessionResponse> {
  return request('POST', `/api/sessions/${encodeURIComponent(sessionId)}/branch`, { version, ...(title ? { title } : {}) }, token);
}

/** The session file as JSON (for the replay viewer and the report). */
export function sessionFile(sessionId: string, token: string): Promise<SessionFile> {
  return request('GET', `/api/sessions/${encodeURIComponent(sessionId)}/export`, undefined, token);
}

export function sessionScenario(sessionId: string, token: string): Promise<Scenario> {
  return request('GET', `/api/sessions/${encodeURIComponent(sessionId)}/scenario`, undefined, token);
}

export function viewAs(sessionId: string, token: string, viewer: string): Promise<{ view: GameView; messages: WireMessage[] }> {
  return request('GET', `/api/sessions/${encodeURIComponent(sessionId)}/view-as/${encodeURIComponent(viewer)}`, undefined, token);
}
