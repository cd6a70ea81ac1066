import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { GameView } from '@rubicon/shared';
import { LLM_BOT, type BotOptions } from '@rubicon/shared/bots';
import { SeatBotPicker } from '../src/lobby/SeatBotPicker.tsx';
import type { Session } from '../src/net/useSession.ts';

const seats: BotOptions['seats'] = { iran: { personas: [{ id: 'hard-liner', name: 'Hard-liner', summary: 'Firm.' }], default: 'hard-liner' } };
const session = { send: () => Promise.resolve({ ok: true, version: 1, duplicate: false }) } as unknown as Session;

function llmOption(llm: BotOptions['llm'], bots: GameView['bots'] = []): string {
  const view = { phase: 'lobby', bots } as unknown as GameView;
  const html = renderToStaticMarkup(<SeatBotPicker session={session} view={view} seat="iran" bots={{ options: { seats, llm }, error: null }} />);
  const option = new RegExp(`<option[^>]*value="${LLM_BOT}"[^>]*>[^<]*</option>`).exec(html)?.[0];
  if (!option) throw new Error(`no language model option in ${html}`);
  return option;
}

describe('the seat picker on Setup', () => {
  it('offers a language model only when the server has one, as SET_SEAT_BOT would take it', () => {
    expect(llmOption({ available: true, model: 'm' })).not.toContain('disabled');
    const off = llmOption({ available: false, reason: 'none here' });
    expect(off).toContain('disabled');
    expect(off).toContain('not configured');
  });

  it('still shows a seat the model already plays (handed over where a model was), so the choice can be seen and changed', () => {
    expect(llmOption({ available: false, reason: 'none here' }, [{ seat: 'iran', bot: LLM_BOT }])).not.toContain('disabled');
  });
});
