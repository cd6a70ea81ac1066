import { describe, expect, it } from 'vitest';
import type { GameView } from '@rubicon/shared';
import { describeCause, seatName } from '../src/lib/describe.ts';

type ScenarioView = GameView['scenario'];
const seat = (id: string, name: string, inSentence: string) => ({ id, name, inSentence, short: id, color: '#000000', description: '', optional: false, inPlay: true });
const scenario = { seats: [seat('us', 'United States', 'the United States'), seat('iran', 'Iran', 'Iran')] } as Pick<ScenarioView, 'seats'> as ScenarioView;

describe('a move as the cause of a change', () => {
  it('names the seat as a sentence starts with it, while a label keeps the bare name', () => {
    expect(describeCause(scenario, { kind: 'move', beat: 'b', seat: 'us', move: 'stand-firm' })).toBe('The United States chose “Stand firm”');
    expect(describeCause(scenario, { kind: 'move', beat: 'b', seat: 'iran', move: 'wait' })).toBe('Iran chose “Wait”');
    expect(seatName(scenario, 'us')).toBe('United States');
  });
});
