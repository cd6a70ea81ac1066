import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { GameView } from '@rubicon/shared';
import { OverrideForm, rowsFromProposal } from '../src/facilitate/OverrideForm.tsx';

const scenario = {
  seats: [
    { id: 'iran', name: 'Iran' },
    { id: 'israel', name: 'Israel' },
  ],
  measures: [{ id: 'standing', label: 'Standing' }],
} as unknown as GameView['scenario'];

function render(rows: ReturnType<typeof rowsFromProposal>) {
  const noop = () => undefined;
  return renderToStaticMarkup(<OverrideForm scenario={scenario} rows={rows} setRows={noop} reason="" setReason={noop} busy={false} onSubmit={noop} onBack={noop} />);
}

describe('the override form', () => {
  it('shows each prefilled line with the fields its kind needs and where it came from', () => {
    const html = render(
      rowsFromProposal(
        [
          { effect: { kind: 'ladder', delta: 2 }, cause: { kind: 'inject', inject: 'i' } },
          { effect: { kind: 'measure', seat: 'israel', measure: 'standing', delta: -5 }, cause: { kind: 'inject', inject: 'i' } },
          { effect: { kind: 'flag', flag: 'hotline', set: true }, cause: { kind: 'inject', inject: 'i' } },
        ],
        scenario,
      ),
    );
    const lines = html.split('<li class="override__row">').slice(1);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('value="2"');
    expect(lines[0]).not.toContain('Standing');
    // The measure line offers every seat and measure, with the proposal's seat chosen.
    // Attributes in any order and boolean ones with or without ="": Preact's renderer writes
    // `<option selected value=…>`, React's `<option value=… selected="">`.
    expect(lines[1]).toMatch(/<option (?=[^>]*\bvalue="israel")(?=[^>]*\bselected\b)[^>]*>Israel<\/option>/);
    expect(lines[1]).not.toMatch(/<option (?=[^>]*\bvalue="iran")(?=[^>]*\bselected\b)[^>]*>/);
    expect(lines[1]).toContain('>Standing</option>');
    expect(lines[1]).toContain('value="-5"');
    // The flag line has the flag's name and a ticked "Set", and no number field.
    expect(lines[2]).toContain('value="hotline"');
    expect(lines[2]).toMatch(/<input (?=[^>]*\btype="checkbox")(?=[^>]*\bchecked\b)[^>]*>/);
    expect(lines[2]).not.toContain('type="number"');
    for (const line of lines) expect(line).toContain('from: ');
    expect(html).toContain('data-testid="override-reason"');
  });

  it('says the world stays unchanged when every line is removed', () => {
    expect(render([])).toContain('the beat resolves with the world unchanged');
  });
});
