import type { AccessAction, AccessCode, CreateSessionRequest, ScenarioListing, TeachingDocument, CreateSessionResponse, JoinResponse, SessionSummary } from '@rubicon/shared';
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

export function createSession(body: CreateSessionRequest): Promise<CreateSessionResponse> {
  return request('POST', '/api/sessions', body);
}

export function joinWithCode(code: string): Promise<JoinResponse> {
  return request('POST', '/api/join', { code });
}

/** Revokes one code (a seat id, `observer` or `facilitator`) and every token redeemed from it; `reissue` also makes a new code. */
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

/** Join codes: six characters, case-insensitive; we show and send them upper-case without spaces. */
export function normalizeCode(input: string): string {
  return input.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 6);
}
