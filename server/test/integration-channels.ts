import { describe, expect, it } from 'vitest';
import type { Presence } from '@rubicon/shared';
import { randomText, settle, waitFor, type TestClient } from './harness.ts';
import { refused, type IntegrationSuite } from './integration-context.ts';

/** How many sockets a `presence` payload counts, every role together. */
function connectedIn(payload: unknown): number {
  const p = payload as Presence;
  return Object.values(p.seats).reduce((a, b) => a + b, 0) + p.facilitators + p.observers;
}

/** Israel writes to the US: the two seats and the facilitator see it; nobody else gets a frame. */
async function bilateralReachesTwo(seat: IntegrationSuite['seat']): Promise<void> {
  const t = await seat();
  const text = randomText('israel-us secret');
  await settle(t.all());
  // Presence is announced 50 ms after the table's last hello: wait for it, so that what follows is the message's.
  await waitFor(() => t.all().every((c) => c.received.some((r) => r.event === 'presence' && connectedIn(r.args[0]) === t.all().length)), 5000, 'presence of the whole table');
  const updatesBefore = new Map(t.all().map((c) => [c.label, c.updateVersions.length]));
  const framesBefore = new Map(t.all().map((c) => [c.label, c.received.length]));
  await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text });
  await settle(t.all());
  for (const client of t.all()) {
    const shouldSee = ['israel', 'us', 'facilitator'].includes(client.label);
    expect(client.transcript().includes(text), client.label).toBe(shouldSee);
    expect(client.messages.some((m) => m.text === text), client.label).toBe(shouldSee);
    // The others get no update at all: not even that something happened.
    expect(client.updateVersions.length - (updatesBefore.get(client.label) ?? 0), client.label).toBe(shouldSee ? 1 : 0);
    // Nor a frame of any other event that would let them count or time the message (acks answer their own syncs).
    const unprompted = client.received.slice(framesBefore.get(client.label) ?? 0).filter((r) => !r.event.startsWith('ack:'));
    if (!shouldSee) expect(unprompted, client.label).toEqual([]);
  }
}

/** Iran writes on the mediated channel, is refused a direct line, and the mediators relay to the US. */
async function mediatedStaysMediated(seat: IntegrationSuite['seat']): Promise<void> {
  const t = await seat();
  const text = randomText('iran to the mediators');
  await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text });
  await settle(t.all());
  for (const client of t.all()) {
    const shouldSee = ['iran', 'mediators', 'facilitator'].includes(client.label);
    expect(client.transcript().includes(text), client.label).toBe(shouldSee);
  }
  // Iran cannot address the US directly through the mediated channel.
  const direct = await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'hello US', to: 'us' });
  expect(refused(direct).code).toBe('forbidden');
  // Nor through the direct line, which is closed.
  const closed = await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'iran-us-direct', text: 'hello US' });
  expect(refused(closed).code).toBe('channel_closed');

  const original = t.seats.mediators.messages.find((m) => m.text === text);
  const relayText = randomText('relayed to the US');
  await t.seats.mediators.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: relayText, to: 'us', relayOf: original?.id });
  await settle(t.all());
  for (const client of t.all()) {
    const shouldSee = ['us', 'mediators', 'facilitator'].includes(client.label);
    expect(client.transcript().includes(relayText), client.label).toBe(shouldSee);
  }
  // A relay names what it passes on in each reader's own numbering; the US cannot read the original.
  const relayAt = (c: TestClient) => c.messages.find((m) => m.text === relayText)?.relayOf;
  const originalAt = (c: TestClient) => c.messages.find((m) => m.text === text)?.id;
  expect(relayAt(t.seats.mediators)).toBe(originalAt(t.seats.mediators));
  expect(relayAt(t.facilitator)).toBe(originalAt(t.facilitator));
  expect(relayAt(t.seats.us)).toBe('unseen');
}

/** Who receives what: bilateral, mediated, public and team messages, and nothing more. */
export function privateChannelCases(suite: IntegrationSuite): void {
  const { backend, seat } = suite;
  describe(`[${backend}] private channels`, () => {
    it('delivers a bilateral message to exactly its two seats and the facilitator', () => bilateralReachesTwo(seat));

    it('keeps the mediated channel mediated: Iran reaches the mediators only, and a relay reaches whom it names', () => mediatedStaysMediated(seat));

    it('refuses a relay of a message from another channel without naming where the log stood', async () => {
      // In one table Israel and the US talk privately first; the mediators, who cannot read that, must not learn it.
      const refusal = async (privateBefore: number) => {
        const t = await seat();
        for (let i = 0; i < privateBefore; i++) await t.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: randomText('israel-us') });
        await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'public', text: randomText('public') });
        await settle(t.all());
        const original = t.seats.mediators.messages[0]?.id;
        return refused(await t.seats.mediators.command({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: 'passing it on', to: 'us', relayOf: original }));
      };
      const quiet = await refusal(0);
      expect(quiet.code).toBe('invalid');
      expect(await refusal(3)).toEqual(quiet);
    });

    it('shows public statements to everyone, observers included, and team chat to the team only', async () => {
      const t = await seat();
      const pub = randomText('public');
      const team = randomText('team us');
      await t.seats.us.must({ type: 'SEND_MESSAGE', channel: 'public', text: pub });
      await t.seats.us.must({ type: 'SEND_MESSAGE', channel: 'team-us', text: team });
      await settle(t.all());
      for (const client of t.all()) {
        expect(client.transcript().includes(pub), client.label).toBe(true);
        expect(client.transcript().includes(team), client.label).toBe(['us', 'facilitator'].includes(client.label));
      }
    });
  });
}
