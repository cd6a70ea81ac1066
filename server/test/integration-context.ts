import type { WireError } from '@rubicon/shared';
import type { Backend, SkewClock, Table, TestServer, seatTable } from './harness.ts';

/** What defineIntegrationSuite hands each of its integration-*.ts modules. */
export interface IntegrationSuite {
  backend: Backend;
  /** The server's clock: a test moves it to pass a deadline. */
  clock: SkewClock;
  /** The suite's server, started in its beforeAll: read it in a test or a hook, not while defining them. */
  server(): TestServer;
  /** Seats a table on the suite's server; the suite closes it at the end. */
  seat(request?: Parameters<typeof seatTable>[1]): Promise<Table>;
  /** Every table the suite closes at the end, for a test that seats one itself. */
  tables: Table[];
}

type Refused = { ok: false; error: WireError };

/** The error a refused command's acknowledgement carries; throws, naming the ack, if the command was accepted. */
export function refused(ack: unknown): WireError {
  const a = ack as Refused | { ok: true };
  if (a.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack)}`);
  return a.error;
}
