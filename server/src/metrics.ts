import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration } from 'prom-client';

/**
 * A counter by one label, counted in a plain Map and handed to prom-client
 * when it is read: its `collect` hook, which prom-client runs before every
 * scrape and every `get()`, adds each label value's tally with one `inc`.
 * prom-client's own `inc` builds and looks up a hash of the labels object on
 * every call, and the command path counts every entry it appends; here that
 * is one Map update, and prom-client hashes once per label value and scrape.
 */
export class TalliedCounter<L extends string> {
  readonly counter: Counter<L>;
  private readonly tally = new Map<string, number>();

  constructor(config: Omit<CounterConfiguration<L>, 'collect' | 'labelNames'>, label: L) {
    const tally = this.tally;
    this.counter = new Counter<L>({
      ...config,
      labelNames: [label],
      collect(this: Counter<L>) {
        for (const [value, n] of tally) {
          const labels: Partial<Record<L, string>> = {};
          labels[label] = value;
          this.inc(labels, n);
        }
        tally.clear();
      },
    });
  }

  /** Counts one for the label value `value`. */
  inc(value: string): void {
    this.tally.set(value, (this.tally.get(value) ?? 0) + 1);
  }
}

/**
 * Prometheus metrics for one app instance. Each instance has its own
 * registry, so two apps in one process (as in the multi-process tests) never
 * register the same metric twice.
 */
export interface Metrics {
  registry: Registry;
  sockets: Gauge;
  sessions: Gauge;
  /** By command type; counted by TalliedCounter, read through prom-client like the rest. */
  eventsApplied: TalliedCounter<'type'>;
  commandLatency: Histogram<'type' | 'result'>;
  refusals: Counter<'code'>;
  /** Round trips to Redis of the per-seat and per-session command limits (one per event-loop turn with commands). */
  commandLimitRoundTrips: Counter;
  /** Append attempts per batch of commands (more than one: lost races for the log's head). */
  appendAttempts: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sockets: new Gauge({ name: 'rubicon_sockets', help: 'Connected sockets on this process', registers: [registry] }),
    sessions: new Gauge({ name: 'rubicon_sessions_loaded', help: 'Sessions held in this process\'s cache', registers: [registry] }),
    eventsApplied: new TalliedCounter({ name: 'rubicon_events_applied_total', help: 'Log entries appended by this process, by command type', registers: [registry] }, 'type'),
    commandLatency: new Histogram({
      name: 'rubicon_command_duration_seconds',
      help: 'Time from receiving a command to its acknowledgement',
      labelNames: ['type', 'result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'rubicon_command_refusals_total',
      help: 'Commands refused, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    commandLimitRoundTrips: new Counter({
      name: 'rubicon_command_limit_round_trips_total',
      help: 'Scripts sent to Redis to count commands against their seat and session limits',
      registers: [registry],
    }),
    appendAttempts: new Histogram({
      name: 'rubicon_append_attempts',
      help: 'Append attempts one batch of commands took (each lost race for the log head adds one)',
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
      registers: [registry],
    }),
  };
}
