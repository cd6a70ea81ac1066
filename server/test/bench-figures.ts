import { expect } from 'vitest';
import type { Report } from '../bench/stats.ts';

/**
 * Every figure a small bench run reported is a finite number or non-empty words: a NaN or an
 * Infinity there means a phase measured nothing (a count of zero divided, an empty sample).
 */
export function expectFigures(report: Report): void {
  expect(report.rows.length).toBeGreaterThan(0);
  for (const row of report.rows) {
    const label = `${row.section} · ${row.name}: ${String(row.value)}`;
    if (typeof row.value === 'number') expect(Number.isFinite(row.value), label).toBe(true);
    else expect(row.value.trim(), label).not.toBe('');
    expect(String(row.value), label).not.toMatch(/NaN|Infinity/);
  }
}
