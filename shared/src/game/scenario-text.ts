import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Scenario } from '../scenario/schema.ts';
import { seatInSentence } from '../scenario/in-sentence.ts';
import type { ScenarioText } from '../wire-view.ts';

export interface SharedScenarioText {
  text: ScenarioText;
  /** A hash of the text's JSON: a client holding text of this digest holds this text. */
  digest: string;
}

// Built once per loaded scenario: every view of every session shares the same objects.
const built = new WeakMap<Scenario, SharedScenarioText>();

/** The part of every view's `scenario` that depends on nothing but the scenario. */
export function scenarioText(scenario: Scenario): SharedScenarioText {
  let shared = built.get(scenario);
  if (!shared) {
    const text: ScenarioText = {
      id: scenario.id,
      version: scenario.version,
      title: scenario.title,
      summary: scenario.summary,
      openingBriefing: scenario.openingBriefing,
      seats: scenario.seats.map((s) => ({ id: s.id, name: s.name, inSentence: seatInSentence(s), short: s.short, color: s.color, description: s.description, optional: s.optional })),
      measures: scenario.measures.map(({ id, label, description, min, max }) => ({ id, label, description, min, max })),
      rungs: scenario.ladder.rungs,
      beats: scenario.beats.map((b) => ({ id: b.id, title: b.title, date: b.date, marks: b.marks })),
      outcomes: scenario.outcomes.map((o) => ({ id: o.id, title: o.title })),
      map: scenario.map,
    };
    shared = { text, digest: bytesToHex(sha256(utf8ToBytes(JSON.stringify(text)))).slice(0, 24) };
    built.set(scenario, shared);
  }
  return shared;
}
