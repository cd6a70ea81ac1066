import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { LogEntry } from '../game/commands.ts';
import { GameSetup, seatsInPlay, type Game } from '../game/game.ts';
import { SeatId } from '../scenario/schema.ts';

/**
 * The session file: everything needed to rebuild a session anywhere (the
 * scenario and its version, the setup with the seed, the seats and the whole
 * log), with each entry hash-chained to the one before, so that an edit,
 * a gap or a reordering is found and located on import. It carries nothing
 * that grants access to the original session (no tokens, no join codes).
 * docs/session-file.md describes the format.
 */
export const SESSION_FILE_FORMAT = 'rubicon-session';
export const SESSION_FILE_VERSION = 2;
export const HASH_ALGORITHM = 'sha-256';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (a sha-256)');

/** Where a branched session came from: the parent's id, the version it branched at and the parent's hash there. */
export const SessionParent = z
  .object({
    sessionId: z.string().min(1).max(64),
    title: z.string().min(1).max(120),
    version: z.number().int().min(0),
    hash: Sha256Hex,
  })
  .strict();
export type SessionParent = z.infer<typeof SessionParent>;

export const SessionHeader = z
  .object({
    sessionId: z.string().min(1).max(64),
    title: z.string().min(1).max(120),
    createdAt: z.number().int().min(0),
    parent: SessionParent.nullable(),
  })
  .strict();
export type SessionHeader = z.infer<typeof SessionHeader>;

export const ChainedEntry = z.object({ ...LogEntry.shape, hash: Sha256Hex }).strict();
export type ChainedEntry = z.infer<typeof ChainedEntry>;

export const SessionFile = z
  .object({
    format: z.literal(SESSION_FILE_FORMAT),
    formatVersion: z.literal(SESSION_FILE_VERSION),
    /** When the file was written; not part of the chain (two exports of one state differ only here). */
    exportedAt: z.number().int().min(0),
    session: SessionHeader,
    scenario: z.object({ id: z.string().min(1).max(64), version: z.number().int().min(1) }).strict(),
    setup: GameSetup,
    /** The seats in play, with their names, so a reader needs no scenario to label them. */
    seats: z.array(z.object({ id: SeatId, name: z.string().min(1).max(120) }).strict()).max(32),
    log: z.array(ChainedEntry).max(100_000),
    chain: z
      .object({
        algorithm: z.literal(HASH_ALGORITHM),
        /** The hash of the header (session, scenario, setup, seats): entry 1 chains to it. */
        genesis: Sha256Hex,
        /** The number of entries and the hash of the last one (the genesis when there are none). */
        length: z.number().int().min(0),
        head: Sha256Hex,
      })
      .strict(),
  })
  .strict();
export type SessionFile = z.infer<typeof SessionFile>;

/** The parts of the file the genesis hash covers. */
export type ChainedHeader = Pick<SessionFile, 'format' | 'formatVersion' | 'session' | 'scenario' | 'setup' | 'seats'>;

function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The hash the chain starts from: it binds the scenario version, the seed and the setup to the log. */
export function genesisHash(header: unknown): string {
  return sha256Hex(`${SESSION_FILE_FORMAT}\n${canonicalJson(header)}`);
}

/**
 * The hash of one entry: the previous hash and the entry (without its own
 * hash) in canonical JSON, so key order and whitespace never matter.
 */
export function entryHash(previous: string, entry: unknown): string {
  return sha256Hex(`${previous}\n${canonicalJson(entry)}`);
}

/** The header's hashed fields, taken from a (raw or parsed) file. */
export function chainedHeaderOf(file: Record<string, unknown>): Record<string, unknown> {
  const { format, formatVersion, session, scenario, setup, seats } = file;
  return { format, formatVersion, session, scenario, setup, seats };
}

/** The chain's hash after each entry of a log (index i: after entry i + 1), from a header. */
export function chainHashes(header: ChainedHeader, log: readonly LogEntry[]): { genesis: string; hashes: string[] } {
  const genesis = genesisHash(chainedHeaderOf(header));
  const hashes: string[] = [];
  let previous = genesis;
  for (const entry of log) {
    previous = entryHash(previous, entry);
    hashes.push(previous);
  }
  return { genesis, hashes };
}

export interface SessionFileInput {
  session: SessionHeader;
  game: Game;
  log: readonly LogEntry[];
  exportedAt: number;
}

/**
 * Writes the file for a session: header, the log with its chain, and the chain's head. Hashing a long log
 * takes seconds (pure-JS SHA-256 over canonical JSON), so a server does it in a worker thread.
 */
export function buildSessionFile({ session, game, log, exportedAt }: SessionFileInput): SessionFile {
  const inPlay = new Set(seatsInPlay(game.scenario, game.setup));
  const header: ChainedHeader = {
    format: SESSION_FILE_FORMAT,
    formatVersion: SESSION_FILE_VERSION,
    session,
    scenario: { id: game.scenario.id, version: game.scenario.version },
    setup: game.setup,
    seats: game.scenario.seats.filter((s) => inPlay.has(s.id)).map((s) => ({ id: s.id, name: s.name })),
  };
  const { genesis, hashes } = chainHashes(header, log);
  return {
    ...header,
    exportedAt,
    log: log.map((entry, i) => ({ ...entry, hash: hashes[i]! })),
    chain: { algorithm: HASH_ALGORITHM, genesis, length: log.length, head: hashes.at(-1) ?? genesis },
  };
}

/** The log entries of a file, without their hashes. */
export function logOf(file: Pick<SessionFile, 'log'>): LogEntry[] {
  return file.log.map(({ hash: _hash, ...entry }) => entry);
}
