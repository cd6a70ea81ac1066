/**
 * What the machine's load adds to a time a fault test measures, so that a
 * bound is checked against the server rather than against the machine: how
 * long the test process's own event loop was held up (it can sit on any
 * answer it times for that long), and how long each server's was.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The test process's own event-loop delay, from start() on. */
export class OwnLoopDelay {
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });

  start(): void {
    this.histogram.reset();
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** The longest delay since start(), in ms. */
  get maxMs(): number {
    return this.histogram.max / 1e6;
  }
}

/**
 * The longest each server's event loop was held up, in ms, from its /metrics: prom-client's
 * nodejs_eventloop_lag_max_seconds covers the time since the previous scrape (it resets its histogram on
 * each), so the largest over every scrape since reset() covers the whole stretch.
 */
export class ServerLags {
  private readonly lagMs = new Map<string, number>();

  /** `token`: the servers' METRICS_TOKEN (an operator's scraper). */
  constructor(private readonly token: string) {}

  /** A metric's value as this process's /metrics reports it; each scrape also records the server's lag. */
  async metric(url: string, name: string): Promise<number> {
    const res = await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${this.token}` } });
    const lines = (await res.text()).split('\n');
    const value = (n: string) => {
      const line = lines.find((l) => l.startsWith(`${n} `));
      if (line === undefined) throw new Error(`${n} is not in ${url}/metrics`);
      return Number(line.slice(n.length + 1));
    };
    this.lagMs.set(url, Math.max(this.lagMs.get(url) ?? 0, value('nodejs_eventloop_lag_max_seconds') * 1000));
    return value(name);
  }

  /** Forgets the lag so far (the processes' start: module loading, the first compilations). */
  reset(): void {
    this.lagMs.clear();
  }

  /** The longest any server's loop was held up since reset(), in ms. */
  get maxMs(): number {
    return Math.max(...this.lagMs.values());
  }

  /** Each server's, for the run's report. */
  get each(): number[] {
    return [...this.lagMs.values()];
  }
}

/**
 * The loopback round trip of a request or a Socket.IO frame each way and the parse of it, on top of the event
 * loops' delays (lateBound): a few milliseconds measured, well under this.
 */
const TRANSPORT_MS = 50;

/**
 * The latest an answer bounded by `boundMs` may come, measured from its sending, if the server keeps its
 * promise. The server starts the bound's clock when its handler runs and answers when the bound's timer fires:
 * each of the two can be held up by as much as its event loop's longest delay (`serverLagMs`). The test's own
 * loop can sit on the answer as long as its longest delay (`ownLagMs`), and the bytes need the loopback's round
 * trip. An answer later than this was sent after the bound.
 */
export function lateBound(boundMs: number, serverLagMs: number, ownLagMs: number): number {
  return boundMs + 2 * serverLagMs + ownLagMs + TRANSPORT_MS;
}
