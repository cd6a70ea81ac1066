/**
 * The delivery bench (e2e/bench/delivery.ts, the second half of `npm run bench`) at its smallest: one cold
 * console and one cold display, two beat changes. It asserts what must hold at any size, never a speed:
 * every figure there and finite, bytes on the wire, and every beat change seen on all ten pages. It serves
 * client/dist as the suite's webServer (`npm start`) built it, on an app of its own in this process.
 */
import { expect, test } from '@playwright/test';
import { deliveryLines, runDelivery, type Load } from '../bench/delivery.ts';

test('the delivery bench runs end to end and reports every figure', async () => {
  test.setTimeout(180_000);
  const report = await runDelivery({ runs: 1, beatChanges: 2, build: false, chromiumPath: process.env.CHROMIUM_PATH });

  expect(report.builds).toHaveLength(1);
  const [build] = report.builds;
  const loads: [string, Load[]][] = [
    ['console', build!.console],
    ['display', build!.display],
  ];
  for (const [what, list] of loads) {
    expect(list, what).toHaveLength(1);
    const { ms, httpBytes, identityBytes, wsBytes, requests } = list[0]!;
    for (const [name, value] of Object.entries({ ms, httpBytes, identityBytes, wsBytes, requests })) {
      expect(Number.isFinite(value) && value > 0, `${what} ${name}: ${value}`).toBe(true);
    }
  }

  expect(report.beat.stopped).toBeNull();
  expect(report.beat.seen).toHaveLength(2);
  for (const change of report.beat.seen) {
    expect(change).toHaveLength(10);
    // -1 is a page that never showed the new phase.
    for (const ms of change) expect(Number.isFinite(ms) && ms >= 0, `a page's beat change: ${ms}`).toBe(true);
  }

  const lines = deliveryLines(report, false);
  expect(lines.some((l) => l.startsWith('Beat change to 10 pages (20 page updates over 2 beat changes)'))).toBe(true);
  for (const line of lines) expect(line).not.toMatch(/NaN|undefined|Infinity|stopped/);
});
