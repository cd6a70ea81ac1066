import { describe, expect, it } from 'vitest';
import type { ScenarioText } from '@rubicon/shared';
import type { ScenarioRef } from '@rubicon/shared/wire-view';
import { ScenarioTexts } from '../src/net/scenario-texts.ts';

const ref: ScenarioRef = { id: 'april-2024', version: 4, digest: 'abc', inPlay: [], injects: [] };
const text = (title: string) => ({ title }) as unknown as ScenarioText;

/** A fetch that records what was asked and answers from `answers` (a missing one is an HTTP error). */
function fakeFetch(answers: Record<string, unknown>) {
  const asked: string[] = [];
  const fetchJson = (path: string) => {
    asked.push(path);
    return path in answers ? Promise.resolve(answers[path]) : Promise.reject(new Error(`${path}: HTTP 404`));
  };
  return { asked, fetchJson };
}

describe('ScenarioTexts', () => {
  it("takes the text asked for by session when its digest is the view's, without fetching it again", async () => {
    const f = fakeFetch({ '/api/sessions/s1/text': { digest: 'abc', text: text('early') } });
    const texts = new ScenarioTexts(f.fetchJson);
    texts.forSession('s1', 'token');
    expect((await texts.load(ref)).title).toBe('early');
    expect(texts.get(ref)?.title).toBe('early');
    expect(f.asked).toEqual(['/api/sessions/s1/text']);
  });

  it('fetches by digest when the early answer names another text, or failed', async () => {
    const byDigest = '/api/scenarios/april-2024/v/4?digest=abc';
    for (const early of [{ digest: 'other', text: text('older') }, undefined]) {
      const f = fakeFetch({ ...(early ? { '/api/sessions/s1/text': early } : {}), [byDigest]: text('by digest') });
      const texts = new ScenarioTexts(f.fetchJson);
      texts.forSession('s1', 'token');
      expect((await texts.load(ref)).title).toBe('by digest');
      expect(f.asked).toEqual(['/api/sessions/s1/text', byDigest]);
    }
  });

  it('fetches by digest at once when no session text was asked for', async () => {
    const f = fakeFetch({ '/api/scenarios/april-2024/v/4?digest=abc': text('by digest') });
    expect((await new ScenarioTexts(f.fetchJson).load(ref)).title).toBe('by digest');
    expect(f.asked).toEqual(['/api/scenarios/april-2024/v/4?digest=abc']);
  });
});
