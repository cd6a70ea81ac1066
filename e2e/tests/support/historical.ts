import type { Seat } from './ui.ts';

export interface HistoricalBeat {
  id: string;
  title: string;
  /** The move each acting seat chose in April 2024 (a seat missing here does not act in the beat). */
  moves: Partial<Record<Seat, string>>;
}

/** The historical path of the april-2024 scenario (docs/scenario.md, "The historical path"). */
export const HISTORICAL_PATH: readonly HistoricalBeat[] = [
  {
    id: 'consulate-strike',
    title: 'The Damascus strike',
    moves: { iran: 'vow-punishment', israel: 'no-comment', us: 'deny-involvement', mediators: 'urge-restraint' },
  },
  {
    id: 'iran-decision',
    title: 'Iran decides',
    moves: { iran: 'telegraphed-strike', us: 'private-warnings', israel: 'ready-defences', mediators: 'sound-out-intentions' },
  },
  {
    id: 'signalling-window',
    title: 'The signalling window',
    moves: { iran: 'warn-through-mediators', israel: 'public-red-line', us: 'coalition-air-defence', mediators: 'relay-warnings' },
  },
  {
    id: 'strike-and-defence',
    title: 'The strike and the defence',
    moves: { iran: 'launch-as-planned', us: 'full-interception', israel: 'full-defence' },
  },
  {
    id: 'international-reaction',
    title: 'The morning after',
    moves: { iran: 'declare-operations-over', us: 'urge-take-the-win', israel: 'diplomatic-offensive', mediators: 'relay-closure' },
  },
  {
    id: 'israel-decision',
    title: 'Israel decides',
    moves: { israel: 'limited-strike', us: 'press-restraint', iran: 'threaten-escalation', mediators: 'keep-channels-open' },
  },
];

export const HISTORICAL_OUTCOME = 'Contained exchange';

export function beat(id: string): HistoricalBeat {
  const b = HISTORICAL_PATH.find((x) => x.id === id);
  if (!b) throw new Error(`no beat ${id}`);
  return b;
}
