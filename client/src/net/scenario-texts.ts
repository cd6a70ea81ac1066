import type { ScenarioText, SharedScenarioText } from '@rubicon/shared';
import { scenarioTextPath, type ScenarioRef } from '@rubicon/shared/wire-view';

/**
 * The scenarios' shared text, by digest. Views come without it; it is
 * fetched once per scenario version (and the browser may cache the response
 * for good: its address names the exact text).
 */
export class ScenarioTexts {
  private readonly held = new Map<string, ScenarioText>();
  private readonly loading = new Map<string, Promise<ScenarioText>>();
  /** A session's text asked for before its view named a digest (see forSession). */
  private early: Promise<unknown> = Promise.resolve();

  constructor(private readonly fetchJson: (path: string, init?: RequestInit) => Promise<unknown> = defaultFetch) {}

  get(ref: ScenarioRef): ScenarioText | undefined {
    return this.held.get(ref.digest);
  }

  /**
   * Asks for the text of the session a token belongs to, before any view has
   * named it: the answer travels beside the socket's handshake and hello
   * instead of one round trip after them. A load waits for it first.
   */
  forSession(sessionId: string, token: string): void {
    this.early = this.fetchJson(`/api/sessions/${encodeURIComponent(sessionId)}/text`, { headers: { authorization: `Bearer ${token}` } }).then(
      (json) => {
        const { text, digest } = json as SharedScenarioText;
        this.held.set(digest, text);
      },
      // Not fatal: the view's digest is fetched as usual.
      () => undefined,
    );
  }

  load(ref: ScenarioRef): Promise<ScenarioText> {
    const held = this.held.get(ref.digest);
    if (held) return Promise.resolve(held);
    let pending = this.loading.get(ref.digest);
    if (!pending) {
      pending = this.early
        .then(() => this.held.get(ref.digest) ?? this.fetchJson(scenarioTextPath(ref)))
        .then((json) => {
          const text = json as ScenarioText;
          this.held.set(ref.digest, text);
          return text;
        })
        .finally(() => this.loading.delete(ref.digest));
      this.loading.set(ref.digest, pending);
    }
    return pending;
  }
}

async function defaultFetch(path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(path, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}
