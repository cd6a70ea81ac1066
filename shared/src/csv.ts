/** A CSV cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, quotes doubled; null is empty. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
