import { SweptMap } from '../swept-map.ts';
import type { Budget, Verdict } from './rate-limit.ts';

/**
 * The one allowed verdict, shared: every command is counted against two limits, and a fresh `{ allowed: true }`
 * for each, and for the chain's answer, was about 100 B a command. Frozen, since every caller holds the same one.
 */
export const ALLOWED: { readonly allowed: true } = Object.freeze({ allowed: true });

interface Window {
  count: number;
  /** Date.now() at which this window ends and the key's count starts again. */
  endsAt: number;
}

/**
 * A limit's counter in this process's memory, answered at once: fixed
 * windows as rate-limiter-flexible's memory limiter keeps them (a key's
 * window starts at its first count and lasts the budget's window; a refused
 * count is counted too; a count given back when no window is open opens one
 * with credit), so the verdicts are the same. Its memory limiter answers
 * every count with a promise and a result object, and arms a timer per key
 * and window to forget it: for the command limits, two of each per command.
 * Here a key's window is a plain record, reused when it opens again, and
 * ended windows go in a sweep (SweptMap).
 */
export class WindowCounter {
  private readonly windows: SweptMap<Window>;
  private readonly windowMs: number;

  constructor(private readonly budget: Budget) {
    this.windowMs = budget.windowSeconds * 1000;
    this.windows = new SweptMap<Window>((window, now) => now >= window.endsAt, 1024);
  }

  /** Counts `points` against `key`; refused once the window's count is over `cap` (the budget unless told). */
  take(key: string, points = 1, now = Date.now(), cap = this.budget.points): Verdict {
    const window = this.add(key, points, now);
    if (window.count <= cap) return ALLOWED;
    return { allowed: false, retryAfterMs: Math.max(1, window.endsAt - now) };
  }

  /** Returns points taken for an action that turned out not to count. */
  giveBack(key: string, points = 1, now = Date.now()): void {
    this.add(key, -points, now);
  }

  /** Keys held, ended windows included until a sweep. */
  get size(): number {
    return this.windows.size;
  }

  private add(key: string, points: number, now: number): Window {
    let window = this.windows.get(key);
    // Swept, if at all, by the count's own clock, which every window is kept by.
    if (!window) window = this.windows.add(key, { count: 0, endsAt: 0 }, now);
    if (now >= window.endsAt) {
      window.count = 0;
      window.endsAt = now + this.windowMs;
    }
    window.count += points;
    return window;
  }
}
