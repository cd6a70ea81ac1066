import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type HistogramConfiguration, type LabelValues } from 'prom-client';

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

/** One label set's observations, bucketed as prom-client buckets them. */
interface Tally<L extends string> {
  labels: LabelValues<L>;
  /** Observations per bucket (not cumulative); one above every bound counts in `count` (+Inf) alone. */
  inBucket: number[];
  sum: number;
  count: number;
}

/** A value of a histogram's exposition as prom-client's own histogram builds it (`sharedLabels`: the label set). */
interface ExportedValue<L extends string> {
  labels: { le?: number | '+Inf' };
  sharedLabels: LabelValues<L>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/** prom-client's histogram, but read from the tallies of a TalliedHistogram rather than from its own observations. */
class TalliedExport<L extends string> extends Histogram<L> {
  private readonly exportName: string;
  private readonly exportHelp: string;

  constructor(
    config: HistogramConfiguration<L>,
    private readonly exported: () => ExportedValue<L>[],
  ) {
    super(config);
    this.exportName = config.name;
    this.exportHelp = config.help;
  }

  /**
   * prom-client's histogram builds its exposition here, from its own observations: the registry reads the
   * text through it, and the histogram's `get()` calls it and merges each value's label set into its labels.
   * Overridden, both read the tallies.
   */
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: ExportedValue<L>[]; aggregator: 'sum' }> {
    return Promise.resolve({ name: this.exportName, help: this.exportHelp, type: 'histogram', values: this.exported(), aggregator: 'sum' });
  }
}

/**
 * A histogram by two labels, observed into plain Maps and read by
 * prom-client (its registry, `get()`) as prom-client's own histogram would
 * show the same observations. prom-client's `observe` checks the labels
 * object and builds and looks up a hash of it on every call (0.9 % of the
 * server's samples in docs/performance/fan-out-log.md, "Where Rubicon's
 * CPU goes by `perf`…"); here an observation is two Map lookups and an
 * increment.
 */
export class TalliedHistogram<A extends string, B extends string> {
  readonly histogram: Histogram<A | B>;
  private readonly name: string;
  private readonly bounds: readonly number[];
  private readonly byA = new Map<string, Map<string, Tally<A | B>>>();
  /** Every label set in the order first observed: the order prom-client exports them in. */
  private readonly order: Tally<A | B>[] = [];

  constructor(config: Omit<HistogramConfiguration<A | B>, 'labelNames' | 'collect' | 'enableExemplars'> & { buckets: number[] }, private readonly a: A, private readonly b: B) {
    this.bounds = [...config.buckets];
    this.name = config.name;
    this.histogram = new TalliedExport<A | B>({ ...config, labelNames: [a, b] }, () => this.exported());
  }

  /** Observes `value` for the label values `a` and `b`. */
  observe(a: string, b: string, value: number): void {
    checkedValue(value);
    let byB = this.byA.get(a);
    if (!byB) {
      byB = new Map();
      this.byA.set(a, byB);
    }
    let tally = byB.get(b);
    if (!tally) {
      const labels: LabelValues<A | B> = {};
      labels[this.a] = a;
      labels[this.b] = b;
      tally = emptyTally(labels, this.bounds);
      byB.set(b, tally);
      this.order.push(tally);
    }
    tallyInto(tally, this.bounds, value);
  }

  /** The exposition's values, in prom-client's order. */
  private exported(): ExportedValue<A | B>[] {
    return exportedTallies(this.name, this.bounds, this.order);
  }
}

/**
 * A histogram without labels, observed into one plain tally and read by
 * prom-client as its own histogram would show the same observations (every
 * bucket at zero before the first). prom-client's `observe(value)` makes a
 * closure and a labels object, checks and hashes them, on every call; the
 * command path observes once per batch, nearly once per command.
 */
export class TalliedUnlabelledHistogram {
  readonly histogram: Histogram;
  private readonly bounds: readonly number[];
  private readonly tally: Tally<string>;

  constructor(config: Omit<HistogramConfiguration<string>, 'labelNames' | 'collect' | 'enableExemplars'> & { buckets: number[] }) {
    const bounds = [...config.buckets];
    const tally = emptyTally<string>({}, bounds);
    this.bounds = bounds;
    this.tally = tally;
    this.histogram = new TalliedExport<string>({ ...config, labelNames: [] }, () => exportedTallies(config.name, bounds, [tally]));
  }

  observe(value: number): void {
    checkedValue(value);
    tallyInto(this.tally, this.bounds, value);
  }
}

/** prom-client's check of an observed value, with its error. */
function checkedValue(value: number): void {
  if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
}

function emptyTally<L extends string>(labels: LabelValues<L>, bounds: readonly number[]): Tally<L> {
  return { labels, inBucket: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 };
}

/** One observation, in the first bucket whose bound it is at or under (none above the last: +Inf alone). */
function tallyInto<L extends string>(tally: Tally<L>, bounds: readonly number[], value: number): void {
  let i = 0;
  while (i < bounds.length && !(value <= (bounds[i] ?? 0))) i++;
  if (i < bounds.length) tally.inBucket[i] = (tally.inBucket[i] ?? 0) + 1;
  tally.sum += value;
  tally.count += 1;
}

/** The exposition's values, in prom-client's order: each label set's cumulative buckets, +Inf, sum and count. */
function exportedTallies<L extends string>(name: string, bounds: readonly number[], tallies: readonly Tally<L>[]): ExportedValue<L>[] {
  const values: ExportedValue<L>[] = [];
  for (const t of tallies) {
    let cumulative = 0;
    bounds.forEach((le, i) => {
      cumulative += t.inBucket[i] ?? 0;
      values.push({ labels: { le }, sharedLabels: t.labels, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
    });
    values.push({ labels: { le: '+Inf' }, sharedLabels: t.labels, value: t.count, metricName: `${name}_bucket`, exemplar: null });
    values.push({ labels: {}, sharedLabels: t.labels, value: t.sum, metricName: `${name}_sum`, exemplar: undefined });
    values.push({ labels: {}, sharedLabels: t.labels, value: t.count, metricName: `${name}_count`, exemplar: undefined });
  }
  return values;
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
  /** By command type and result; observed by TalliedHistogram, read through prom-client like the rest. */
  commandLatency: TalliedHistogram<'type', 'result'>;
  refusals: Counter<'code'>;
  /** New sessions (created, imported, replays, branches) refused: by the store's cap, or by the address's budgets. */
  newSessionRefusals: Counter<'reason'>;
  /** Round trips to Redis of the per-seat and per-session command limits (one per event-loop turn with commands). */
  commandLimitRoundTrips: Counter;
  /** Append attempts per batch of commands (more than one: lost races for the log's head); observed by TalliedUnlabelledHistogram. */
  appendAttempts: TalliedUnlabelledHistogram;
  /** 1 while this process finds Redis unreachable or slow to answer its readiness PING (from the first outage line to the last), else 0; always 0 in memory. */
  redisDown: Gauge;
  /** Outages this process has seen begin (each is one 'Redis is unreachable' log line). */
  redisOutages: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sockets: new Gauge({ name: 'rubicon_sockets', help: 'Connected sockets on this process', registers: [registry] }),
    sessions: new Gauge({ name: 'rubicon_sessions_loaded', help: 'Sessions held in this process\'s cache', registers: [registry] }),
    eventsApplied: new TalliedCounter({ name: 'rubicon_events_applied_total', help: 'Log entries appended by this process, by command type', registers: [registry] }, 'type'),
    commandLatency: new TalliedHistogram(
      {
        name: 'rubicon_command_duration_seconds',
        help: 'Time from receiving a command to its acknowledgement',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      },
      'type',
      'result',
    ),
    refusals: new Counter({
      name: 'rubicon_command_refusals_total',
      help: 'Commands refused, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    newSessionRefusals: new Counter({
      name: 'rubicon_new_session_refusals_total',
      help: 'New sessions refused by this process: sessions_full (the store holds MAX_SESSIONS), sessions_per_address (the address spent SESSIONS_PER_ADDRESS), requests_per_address (its request budget)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    commandLimitRoundTrips: new Counter({
      name: 'rubicon_command_limit_round_trips_total',
      help: 'Scripts sent to Redis to count a command against its seat and session limits on their own: only commands refused before their append, since an appended command is counted by its append script',
      registers: [registry],
    }),
    appendAttempts: new TalliedUnlabelledHistogram({
      name: 'rubicon_append_attempts',
      help: 'Append attempts one batch of commands took (each lost race for the log head adds one)',
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
      registers: [registry],
    }),
    redisDown: new Gauge({ name: 'rubicon_redis_down', help: '1 while this process finds Redis unreachable or its readiness PING unanswered (not ready), else 0', registers: [registry] }),
    redisOutages: new Counter({ name: 'rubicon_redis_outages_total', help: 'Redis outages this process has seen begin', registers: [registry] }),
  };
}
