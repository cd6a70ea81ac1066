import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotOptions } from '@rubicon/shared/bots';
import { api, connect, createSession, startServer, waitFor, type TestClient, type TestServer } from './harness.ts';

const SEATS = ['iran', 'israel', 'us', 'mediators'];

describe('bots through the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ backend: 'memory', env: { BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '250' } });
  });
  afterAll(() => server.close());

  it('a game of bots alone plays to an outcome in real time, locking in before every deadline', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'bots-alone', review: false, timerScale: 0.01 });
    const fac: TestClient = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    for (const seat of SEATS) {
      const bot = seat === 'mediators' ? 'shuttle-broker' : seat === 'iran' ? 'hard-liner' : undefined;
      await fac.must({ type: 'SET_SEAT_BOT', seat, bot: bot ?? (seat === 'israel' ? 'restore-deterrence' : 'restrain-israel') });
    }
    // Every seat shows as played by a bot, and the bots have joined like players (presence).
    expect((await fac.until((v) => v.bots.length === 4)).bots.map((b) => b.seat).sort()).toEqual([...SEATS].sort());
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    const deadline = Date.now() + 60_000;
    while (fac.view?.phase !== 'outcome') {
      if (Date.now() > deadline) throw new Error(`no outcome; phase ${fac.view?.phase}`);
      const v = await fac.until((x) => x.phase === 'resolution' || x.phase === 'outcome', 20_000, 'a resolution');
      if (v.phase === 'resolution') await fac.must({ type: 'ADVANCE' });
      await fac.until((x) => x.phase !== 'resolution', 10_000, 'next beat');
    }
    const view = fac.view;
    expect(view.outcome?.outcome).toMatch(/./);
    // Every beat was decided by the bots (no defaults for the four bot seats: they beat every deadline).
    const botChoices = view.resolutions.flatMap((r) => r.choices.filter((c) => SEATS.includes(c.seat)));
    expect(botChoices.length).toBeGreaterThan(8);
    expect(botChoices.filter((c) => c.defaulted)).toEqual([]);
    expect(botChoices.every((c) => (c.rationale ?? '').length > 10)).toBe(true);
    // The bots talked: some messages, with relays by the mediator in the mediated channel.
    await waitFor(() => fac.messages.length > 0, 5000, 'messages');
    const relays = fac.messages.filter((m) => m.from === 'mediators' && (m.relayOf ?? null) !== null);
    const principals = fac.messages.filter((m) => m.channel === 'iran-us-mediated' && m.from !== 'mediators');
    if (principals.length > 0) await waitFor(() => fac.messages.some((m) => m.from === 'mediators' && (m.relayOf ?? null) !== null), 5000, 'a relay');
    expect(relays.every((m) => m.channel === 'iran-us-mediated')).toBe(true);
    fac.close();
  }, 90_000);

  it('takes a seat back for humans: the bot leaves, and a refused bot id changes nothing', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'bots-back' });
    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    const bad = await fac.command({ type: 'SET_SEAT_BOT', seat: 'iran', bot: 'nobody' });
    expect(bad.ok ? 'accepted' : bad.error.code).toBe('invalid');
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: 'cautious' });
    await waitFor(() => server.app.bots.seatsPlayed(created.sessionId).includes('mediators'), 5000, 'bot playing');
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: null });
    await fac.until((v) => v.bots.length === 0);
    expect(server.app.bots.seatsPlayed(created.sessionId)).toEqual([]);
    fac.close();
  });

  it('lists each seat\'s personas from the scenario file, and says why no language model is offered', async () => {
    const r = await api<BotOptions>(server.url, '/api/scenarios/practice-tanker/bots');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.seats).sort()).toEqual(['iran', 'israel', 'mediators', 'us']);
    expect(r.body.seats.us).toMatchObject({ default: 'moderate', personas: [{ id: 'dove', name: 'Quiet diplomacy' }, { id: 'moderate' }, { id: 'hawk' }] });
    // Only who a persona is: how it plays (stance, favoured moves) stays out of the page.
    expect(Object.keys(r.body.seats.us?.personas[0] ?? {}).sort()).toEqual(['id', 'name', 'summary']);
    expect(r.body.llm).toEqual({ available: false, reason: expect.stringContaining('LLM_BASE_URL') as string });
    const missing = await api<{ error: { code: string } }>(server.url, '/api/scenarios/nowhere/bots');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });
});
