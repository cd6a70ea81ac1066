/**
 * Text a spreadsheet reads as a formula when it opens the file: a cell starting with =, +, -, @, a tab or a
 * carriage return. Session titles, labels and file names come from whoever made the session or the file
 * (a compared file may be anyone's), so `=HYPERLINK(...)` in a title ran in the facilitator's Excel or
 * LibreOffice. Such text is written after a ' (OWASP's remedy for CSV injection), which the spreadsheet
 * shows as text; numbers are written as they are, so a negative score stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, quotes doubled; null is empty. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = typeof v === 'string' && FORMULA_START.test(v) ? `'${v}` : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
