import { describe, expect, it } from 'vitest';
import { decodeSessionHash, sessionHashFields } from '../src/store/session-hash.ts';
import type { SessionMeta } from '../src/store/types.ts';
import { sessionMeta } from './store-fixtures.ts';

/** What HGETALL answers for a hash written with these field/value pairs. */
function asHash(fields: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) hash[fields[i]!] = fields[i + 1]!;
  return hash;
}

const roundTrip = (meta: SessionMeta): SessionMeta => decodeSessionHash(asHash(sessionHashFields(meta)));

const parent = { sessionId: 'session-parent', title: 'The parent', version: 12, hash: 'a'.repeat(64) };

describe('the session hash', () => {
  it('reads back the meta it was written from, with and without the optional fields', () => {
    const plain = sessionMeta();
    expect(roundTrip(plain)).toStrictEqual(plain);
    const full = sessionMeta({
      maxPlayersPerSeat: 3,
      lineage: { parent, replayOf: { sessionId: 'session-file', title: 'A file', createdAt: 1_600_000_000_000, parent } },
    });
    expect(roundTrip(full)).toStrictEqual(full);
  });

  it('writes no field for an absent optional property', () => {
    const hash = asHash(sessionHashFields(sessionMeta()));
    expect(Object.keys(hash).sort()).toEqual(['codes', 'createdAt', 'facilitatorTokenHash', 'scenarioId', 'sessionId', 'setup', 'title']);
  });

  it('refuses a hash with a malformed or missing field', () => {
    const good = asHash(sessionHashFields(sessionMeta()));
    // A seat's code without its seat: valid JSON, not a JoinCode.
    expect(() => decodeSessionHash({ ...good, codes: JSON.stringify([{ role: { kind: 'seat' }, code: 'K1234567' }]) })).toThrow();
    expect(() => decodeSessionHash({ ...good, lineage: JSON.stringify({ parent: null, replayOf: null, extra: 1 }) })).toThrow();
    expect(() => decodeSessionHash({ ...good, setup: '{not json' })).toThrow();
    const { title: _title, ...untitled } = good;
    expect(() => decodeSessionHash(untitled)).toThrow('session hash lacks title');
  });
});
