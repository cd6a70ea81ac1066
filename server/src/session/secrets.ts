import { createHash } from 'node:crypto';
import { customAlphabet, nanoid } from 'nanoid';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '@rubicon/shared/limits';

const code = customAlphabet(JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH);

export function newJoinCode(): string {
  return code();
}

/** Codes are typed by people: accept lower case, spaces and dashes ("abcd-efgh"). */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]+/g, '').toUpperCase();
}

export function newSessionId(): string {
  return nanoid(12);
}

/** 43 characters of nanoid's alphabet: about 256 bits, a secret that cannot be guessed. */
export function newToken(): string {
  return nanoid(43);
}

/** Tokens are stored only as this hash, so a leaked store does not leak credentials. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A seed for sessions created without one; recorded in the setup so replays still match. */
export function newSeed(): string {
  return nanoid(16);
}
