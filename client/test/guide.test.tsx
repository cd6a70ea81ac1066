import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { teachingDocument } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { GuideBody } from '../src/guide/Guide.tsx';

describe('the facilitator guide', () => {
  it('tells the white cell how to fill a seat with a bot, take it back, and read a language model’s fallback notes', () => {
    const doc = teachingDocument(shippedScenario('april-2024'));
    const text = renderToStaticMarkup(<GuideBody doc={doc} />)
      .replace(/<[^>]+>/g, '')
      .replace(/&#x27;|&#39;/g, "'");
    expect(text).toContain('Empty seats: bots and language models');
    // The names of the controls, as the screens spell them.
    for (const control of ['Played by', 'People, with the code', 'Join codes and bots', 'A language model', 'Why no language model?', 'Notes from the seats'])
      expect(text, control).toContain(control);
    expect(text).toMatch(/Mid-game, when a team leaves/);
    expect(text).toMatch(/Taking it back/);
    // Every bot Setup offers, by seat, with what it is like.
    for (const seat of doc.seats) for (const p of seat.personas) expect(text, `${seat.id}: ${p.name}`).toContain(`${p.name}: ${p.summary}`);
    expect(doc.seats.find((s) => s.id === 'israel')?.personas.map((p) => p.id)).toEqual(['take-the-win', 'restore-deterrence', 'maximalist']);
  });
});
