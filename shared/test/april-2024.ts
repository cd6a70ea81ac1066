/**
 * The shipped april-2024 scenario as the april-2024-*.test.ts files check it:
 * its seats, beats and outcomes in their fixed order, and lookups that throw
 * on an id the data lacks, so a renamed beat or move fails loudly.
 */
import { shippedScenario } from '../node/scenario-files.ts';
import type { Beat, Scenario } from '../src/scenario/schema.ts';

export const scenario: Scenario = shippedScenario('april-2024');

export const REQUIRED = ['iran', 'israel', 'us', 'mediators'];
export const OPTIONAL = ['hezbollah', 'jordan', 'eu'];
export const BEAT_ORDER = [
  'consulate-strike',
  'iran-decision',
  'signalling-window',
  'strike-and-defence',
  'international-reaction',
  'israel-decision',
  'shadow-war',
  'iran-counterstrike',
  'nuclear-answer',
];
export const HISTORICAL_BEATS = BEAT_ORDER.slice(0, 6);
export const OUTCOMES = [
  'de-escalation',
  'contained-exchange',
  'unanswered-blow',
  'proxy-war',
  'sustained-war',
  'regional-war',
  'programme-struck',
  'nuclear-talks',
  'threshold-standoff',
  'nuclear-crisis',
];

export const beat = (id: string): Beat => {
  const b = scenario.beats.find((x) => x.id === id);
  if (!b) throw new Error(`no beat ${id}`);
  return b;
};
export const actor = (beatId: string, seat: string) => {
  const a = beat(beatId).actors.find((x) => x.seat === seat);
  if (!a) throw new Error(`${seat} does not act in ${beatId}`);
  return a;
};
export const moveIds = (beatId: string, seat: string) => actor(beatId, seat).moves.map((m) => m.id);
