import { describe, expect, it } from 'vitest';
import { parseScenarioText, ScenarioFileError } from '../src/scenario/parse.ts';
import { scenarioFileText } from './fixtures/broken-file.ts';

/** A broken scenario file is refused, and each problem names the file, the line and what is wrong. */

const FILE = 'april-2024.yaml';
const { text, breakAt, problems } = scenarioFileText(FILE);

describe('scenario files', () => {
  it('the shipped file parses', () => {
    expect(parseScenarioText(text, FILE).id).toBe('april-2024');
  });

  it('a wrong type is refused at its line', () => {
    const { broken, line } = breakAt('timerSeconds: 600', 'timerSeconds: ten minutes');
    const [p, ...rest] = problems(broken);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ file: FILE, line, col: expect.any(Number) as number, path: expect.stringMatching(/^beats\[\d+\]\.timerSeconds$/) as string });
    expect(p?.message).toMatch(/number/);
  });

  it('an unknown id is refused at its line', () => {
    const { broken, line } = breakAt('defaultMove: quiet-mourning', 'defaultMove: quiet-morning');
    expect(problems(broken)).toEqual([
      expect.objectContaining({ file: FILE, line, path: 'beats[0].actors[0].defaultMove', message: expect.stringContaining('"quiet-morning"') as string }),
    ]);
  });

  it('an unknown seat in a condition is refused at the line of the seat', () => {
    const { broken, line } = breakAt('when: {chose: {seat: israel, move: covert-action}}', 'when: {chose: {seat: isreal, move: covert-action}}');
    const found = problems(broken);
    expect(found).toContainEqual(expect.objectContaining({ line, message: expect.stringContaining('unknown seat "isreal"') as string }));
  });

  it('a mark naming a place the map does not have is refused at its line', () => {
    const { broken, line } = breakAt('{place: tehran, kind: diplomacy', '{place: teheran, kind: diplomacy');
    expect(problems(broken)).toEqual([
      expect.objectContaining({ file: FILE, line, message: 'unknown place "teheran": add it to map.places' }),
    ]);
  });

  it('an unreachable beat is refused at the line of its id', () => {
    const { broken } = breakAt('      - {beat: iran-decision}\n', '      - {outcome: de-escalation}\n');
    const beatLine = broken.split('\n').findIndex((l) => l === '  - id: iran-decision') + 1;
    expect(beatLine).toBeGreaterThan(0);
    expect(problems(broken)).toContainEqual(
      expect.objectContaining({ file: FILE, line: beatLine, message: 'beat iran-decision cannot be reached from the start beat' }),
    );
  });

  it('a YAML syntax error is refused at its line', () => {
    const { broken, line } = breakAt('startBeat: consulate-strike\n', 'startBeat: consulate-strike\n  title: [unclosed\n');
    const [p] = problems(broken);
    expect(p?.line).toBeGreaterThanOrEqual(line);
    expect(p?.line).toBeLessThanOrEqual(line + 1);
  });

  it('throws an error whose message lists file:line:col', () => {
    const { broken, line } = breakAt('defaultMove: quiet-mourning', 'defaultMove: 42');
    expect(() => parseScenarioText(broken, FILE)).toThrow(ScenarioFileError);
    expect(() => parseScenarioText(broken, FILE)).toThrow(new RegExp(`${FILE}:${line}:\\d+: beats\\[0\\]\\.actors\\[0\\]\\.defaultMove: `));
  });
});
