import { describe, expect, it } from 'vitest';
import { shippedScenario } from '../../node/scenario-files.ts';
import { defaultPersona, personaChoices, personasFor } from '../../src/bots/index.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { mini } from '../fixtures/mini-scenario.ts';
import { scenarioFileText } from '../fixtures/broken-file.ts';

/** Personas are scenario data: the `personas:` section of each file, checked like the rest of it. */

const FILE = 'april-2024.yaml';
const { text, breakAt, problems } = scenarioFileText(FILE);

describe('persona data in scenario files', () => {
  it('every seat of every shipped scenario has at least three personas of its own, and a default among them', () => {
    for (const id of ['april-2024', 'practice-tanker']) {
      const scenario = shippedScenario(id);
      for (const seat of scenario.seats) {
        const own = scenario.personas?.seats[seat.id] ?? [];
        expect(own.length, `${id}/${seat.id}`).toBeGreaterThanOrEqual(3);
        expect(personasFor(scenario, seat.id).map((p) => p.id)).toEqual(own.map((p) => p.id));
        expect(own.map((p) => p.id)).toContain(defaultPersona(scenario, seat.id).id);
      }
    }
    const april = shippedScenario('april-2024');
    expect(defaultPersona(april, 'iran')).toMatchObject({ id: 'pragmatic-deterrer', seat: 'iran', name: 'Pragmatic deterrer' });
    expect(personaChoices(april).israel?.personas.map((p) => p.id)).toEqual(['take-the-win', 'restore-deterrence', 'maximalist']);
  });

  it('a scenario without a personas section gets three generic temperaments per seat', () => {
    const scenario = loadScenario(mini);
    expect(scenario.personas).toBeUndefined();
    const seat = scenario.seats[0]!.id;
    expect(personasFor(scenario, seat).map((p) => p.id)).toEqual(['dove', 'moderate', 'hawk']);
  });

  it('a favoured move the seat does not have is refused at its line', () => {
    const { broken, line } = breakAt('favours: {quiet-mourning: 2,', 'favours: {quiet-morning: 2,');
    expect(problems(broken)).toEqual([
      expect.objectContaining({ file: FILE, line, path: 'personas.seats.iran[0].favours.quiet-morning', message: '"quiet-morning" is not a move of iran in any beat' }),
    ]);
  });

  it('an unknown placeholder is refused at the line of the template', () => {
    const { broken, line } = breakAt('"Tell {other} that Tehran seeks no wider war."', '"Tell {others} that Tehran seeks no wider war."');
    expect(problems(broken)).toEqual([
      expect.objectContaining({ file: FILE, line, path: 'personas.seats.iran[0].voice.private[0]', message: expect.stringContaining('unknown placeholder {others}') as string }),
    ]);
  });

  it('a default that names no persona of its seat, and an unknown rival, are refused', () => {
    const { broken } = breakAt('defaults: {iran: pragmatic-deterrer,', 'defaults: {iran: pragmatic-deterer,');
    expect(problems(broken)).toEqual([expect.objectContaining({ path: 'personas.defaults.iran', message: '"pragmatic-deterer" is not a persona of iran' })]);
    const rival = breakAt('rivals: [israel, us]', 'rivals: [israel, usa]');
    expect(problems(rival.broken)).toEqual([expect.objectContaining({ line: rival.line, path: 'personas.seats.iran[0].rivals[1]', message: 'unknown seat "usa"' })]);
  });

  it('a persona of a relaying seat must have relay lines; a stance outside [-1, 1] is refused', () => {
    const at = text.indexOf('          relay:\n            - "From {from}, passed on in confidence');
    const end = text.indexOf('      - id: public-pressure');
    const broken = text.slice(0, at) + text.slice(end);
    expect(problems(broken)).toEqual([expect.objectContaining({ path: 'personas.seats.mediators[0].voice', message: expect.stringContaining('relay lines') as string })]);
    const stance = breakAt('stance: -0.55', 'stance: -1.5');
    expect(problems(stance.broken)).toEqual([expect.objectContaining({ line: stance.line, path: 'personas.seats.iran[0].stance' })]);
  });
});
