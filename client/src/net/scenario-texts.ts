import type { ScenarioText } from '@rubicon/shared';
import { scenarioTextPath, type ScenarioRef } from '@rubicon/shared/wire-view';

/**
 * The scenarios' shared text, by digest. Views come without it; it is
 * fetched once per scenario version (and the browser may cache the response
 * for good: its address names the exact text).
 */
export class ScenarioTexts {
  private readonly held = new Map<string, ScenarioText>();
  private readonly loading = new Map<string, Promise<ScenarioText>>();

  constructor(private readonly fetchJson: (path: string) => Promise<unknown> = defaultFetch) {}

  get(ref: ScenarioRef): ScenarioText | undefined {
    return this.held.get(ref.digest);
  }

  load(ref: ScenarioRef): Promise<ScenarioText> {
    const held = this.held.get(ref.digest);
    if (held) return Promise.resolve(held);
    let pending = this.loading.get(ref.digest);
    if (!pending) {
      pending = this.fetchJson(scenarioTextPath(ref))
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

async function defaultFetch(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}
