import type { GameView } from '@rubicon/shared';

/** Milliseconds left on a beat's clock at `now`, or null when no clock runs. Frozen while paused. */
export function remainingMs(timer: GameView['timer'], now: number): number | null {
  if (!timer) return null;
  if (timer.deadline === null) return timer.remainingMs;
  return Math.max(0, timer.deadline - now);
}

/** "4:05", "0:09", "1:02:03": rounds up, so 0:00 means the time is really up. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whole minutes shown by the clock (rounded up), e.g. 4:05 → 5, 4:00 → 4. */
function minuteMark(ms: number): number {
  return Math.ceil(Math.max(0, ms) / 60000);
}

/**
 * What a screen reader should hear as the clock runs from `before` to `after`
 * (both remaining ms): only when a minute mark is crossed, never each second.
 */
export function minuteAnnouncement(before: number | null, after: number | null): string | null {
  if (before === null || after === null || after >= before) return null;
  const a = minuteMark(before);
  const b = minuteMark(after);
  // The mark changes exactly when the clock face reaches a whole minute (e.g. shows 5:00).
  if (b === a) return null;
  if (after <= 0) return 'Time is up.';
  const minutes = b;
  return minutes === 1 ? '1 minute left.' : `${minutes} minutes left.`;
}

// One formatter for the page: building one per call (toLocaleTimeString) is slow in long message lists.
let clockFormat: Intl.DateTimeFormat | null = null;

export function timeOfDay(at: number): string {
  clockFormat ??= new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  return clockFormat.format(at);
}
