import { Gauge, type Registry } from 'prom-client';
import { settleWithin } from './settle-within.ts';

/** What one scrape knows of the store's count: `stale` when it could not read it, and then the last count read. */
export interface StoredReading {
  /** NaN until a count was first read. */
  count: number;
  /** How long ago `count` was read; 0 when read for this scrape, NaN until a count was first read. */
  ageSeconds: number;
  stale: boolean;
}

/**
 * The store's count of sessions as /metrics reports it, read once per scrape within a bound (however many of its
 * gauges ask: a scrape collects them all at once). A store that does not answer in time, or at all, does not hold
 * the scrape up nor fail it: the scrape reports the last count it knows, how old that is, and that it is stale.
 */
export class StoredSessions {
  private last: { count: number; at: number } | null = null;
  private reading: Promise<StoredReading> | null = null;

  constructor(
    private readonly count: (timeoutMs: number) => Promise<number>,
    private readonly timeoutMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  read(): Promise<StoredReading> {
    this.reading ??= this.readOnce().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readOnce(): Promise<StoredReading> {
    try {
      // The Redis store keeps the bound itself; this one stands in for any store that would not.
      const count = await settleWithin(this.count(this.timeoutMs), this.timeoutMs, () => {
        throw new Error('the store did not count its sessions in time');
      });
      this.last = { count, at: this.now() };
      return { count, ageSeconds: 0, stale: false };
    } catch {
      const last = this.last;
      return { count: last?.count ?? Number.NaN, ageSeconds: last ? (this.now() - last.at) / 1000 : Number.NaN, stale: true };
    }
  }
}

/**
 * The store's fill against MAX_SESSIONS, registered in `registry`: an operator alerts before the store is full on
 * rubicon_sessions_stored / rubicon_sessions_max, and when it is on rubicon_new_session_refusals_total (metrics.ts).
 */
export function registerStoredSessions(registry: Registry, stored: StoredSessions, maxSessions: number): void {
  const gauge = (name: string, help: string, value: (r: StoredReading) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect(this: Gauge) {
        this.set(value(await stored.read()));
      },
    });
  new Gauge({ name: 'rubicon_sessions_max', help: 'MAX_SESSIONS: the most sessions the store holds (0: no cap)', registers: [registry] }).set(maxSessions);
  gauge('rubicon_sessions_stored', 'Sessions the store holds, every process\'s (what MAX_SESSIONS counts); when stale, the last count read', (r) => r.count);
  gauge('rubicon_sessions_stored_stale', '1 when this scrape could not read the store\'s count within the store bound (Redis away or slow): rubicon_sessions_stored is then the last count read', (r) => (r.stale ? 1 : 0));
  gauge('rubicon_sessions_stored_age_seconds', 'How long ago rubicon_sessions_stored was read (0: for this scrape)', (r) => r.ageSeconds);
}
