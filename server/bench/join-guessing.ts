/**
 * How long guessing a join code takes. A server with the production limits
 * holds about 5,000 live codes; guesses go to it from one address, then from
 * many addresses (through X-Forwarded-For from a trusted proxy, which is how
 * a server behind a proxy tells clients apart). The bench counts how many
 * guesses the server looks up in one window of the wrong-code budget, and
 * from that and the size of the code space works out the expected time until
 * the first right guess. Nothing waits for real windows to pass: the budget
 * is measured, the time is computed from it.
 */
import { customAlphabet } from 'nanoid';
import { CreateSessionRequest } from '@rubicon/shared';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '@rubicon/shared/limits';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Report } from './stats.ts';

export interface GuessingOptions {
  liveCodes: number;
  /** Guesses sent at once from each address: more than the budget, so the refusals show where it ends. */
  guessesPerAddress: number;
  addresses: number;
}

export const GUESSING_DEFAULTS: GuessingOptions = { liveCodes: 5000, guessesPerAddress: 45, addresses: 20 };

const HOUR = 3600;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

function inWords(seconds: number): string {
  if (seconds >= YEAR) return `${(seconds / YEAR).toFixed(seconds >= 10 * YEAR ? 0 : 1)} years`;
  if (seconds >= DAY) return `${(seconds / DAY).toFixed(1)} days`;
  return `${(seconds / HOUR).toFixed(1)} hours`;
}

export async function benchJoinGuessing(report: Report, options: GuessingOptions): Promise<void> {
  const section = '7 join-code guessing';
  // The production defaults, but behind a "proxy" on loopback so the bench can speak for many addresses.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: '/nonexistent-client-dist', TRUST_PROXY: 'loopback' });
  const app = await createApp(config);
  try {
    const url = await app.listen();
    const live = new Set<string>();
    while (live.size < options.liveCodes) {
      // Straight to the directory: the sessions are the setting, not the attack, and need not pass the create limit.
      const s = await app.directory.create(CreateSessionRequest.parse({ scenarioId: 'april-2024', seed: `guess-${live.size}` }));
      for (const c of [...s.codes.map((c) => c.code), s.facilitatorCode]) if (c !== null) live.add(c);
    }
    const guess = customAlphabet(JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH);
    const attack = async (address: string) => {
      const statuses = await Promise.all(
        Array.from({ length: options.guessesPerAddress }, async () => {
          const res = await fetch(new URL('/api/join', url), {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
            body: JSON.stringify({ code: guess() }),
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      return { looked: statuses.filter((s) => s !== 429).length, hits: statuses.filter((s) => s === 200).length };
    };
    const one = await attack('198.51.100.1');
    // One address at a time (each with its guesses all at once): thousands of connections at once would only measure the socket backlog.
    const many = [];
    for (let i = 0; i < options.addresses; i++) many.push(await attack(`203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    const lookedPerAddress = many.map((m) => m.looked);

    const space = JOIN_CODE_ALPHABET.length ** JOIN_CODE_LENGTH;
    const expectedGuesses = space / live.size;
    const windowSeconds = config.limits.joinFailures.windowSeconds;
    const perSecond = one.looked / windowSeconds;
    const fromOne = expectedGuesses / perSecond;
    // What the issue measured before: 6-character codes, 2 guesses/s per address sustained.
    const before = JOIN_CODE_ALPHABET.length ** 6 / options.liveCodes / 2;

    report.add(section, 'live codes on the server', live.size, 'codes');
    report.add(section, `code space (${JOIN_CODE_ALPHABET.length}^${JOIN_CODE_LENGTH})`, space.toExponential(2), 'codes');
    report.add(section, 'expected guesses to the first hit', expectedGuesses.toExponential(2), 'guesses');
    report.add(section, `guesses looked up from one address (of ${options.guessesPerAddress} sent)`, one.looked, `per ${windowSeconds / 60} min`);
    report.add(section, `… from each of ${options.addresses} addresses (min–max)`, `${Math.min(...lookedPerAddress)}–${Math.max(...lookedPerAddress)}`, `per ${windowSeconds / 60} min`);
    report.add(section, 'right guesses in all of the above', one.hits + many.reduce((n, m) => n + m.hits, 0), 'hits');
    report.add(section, 'expected time to a first hit, 1 address', inWords(fromOne), '');
    for (const n of [100, 10_000]) report.add(section, `… from ${n.toLocaleString('en')} addresses`, inWords(fromOne / n), '');
    report.add(section, 'before (6 characters, 2 guesses/s, 1 address)', inWords(before), '');
  } finally {
    await app.close();
  }
}
