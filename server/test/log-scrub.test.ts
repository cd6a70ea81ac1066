/**
 * log-scrub.ts's shapes against what the server really makes: tokens (newToken, the own-bot secret),
 * join codes (newJoinCode), and the harmless text most like them, a SHA-256 in hex.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '@rubicon/shared/limits';
import { REDACTED, scrubText } from '../src/log-scrub.ts';
import { hashToken, newJoinCode, newToken } from '../src/session/secrets.ts';

describe('scrubText', () => {
  it('leaves a SHA-256 in hex, as an export or `rubicon verify` prints it', () => {
    const digest = hashToken(newToken());
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(scrubText(`sha256 ${digest} ok`)).toBe(`sha256 ${digest} ok`);
    expect(scrubText(`"hash":"${digest}"`)).toBe(`"hash":"${digest}"`);
  });

  it('still scrubs every token the server makes, and runs that only look like a hash in part', () => {
    const ownBotSecret = randomBytes(32).toString('base64url');
    const tokens = [...Array.from({ length: 200 }, () => newToken()), ownBotSecret, 'f'.repeat(43)];
    for (const token of tokens) expect(scrubText(`token ${token} refused`)).toBe(`token ${REDACTED} refused`);
    const hex = hashToken('x');
    // Not a SHA-256's shape: one character more or less, upper case, a dash within, a non-hex letter.
    for (const near of [hex.slice(1), `${hex}0`, hex.toUpperCase(), `${hex.slice(0, 32)}-${hex.slice(0, 31)}`, `${hex.slice(0, 63)}g`])
      expect(scrubText(`token ${near} refused`)).toBe(`token ${REDACTED} refused`);
  });

  it('scrubs join codes, those made only of letters included', () => {
    for (const code of Array.from({ length: 200 }, () => newJoinCode())) {
      expect(scrubText(`no session for ${code}`)).toBe(`no session for ${REDACTED}`);
      expect(scrubText(`typed ${code.slice(0, 4)}-${code.slice(4)}`)).toBe(`typed ${REDACTED}`);
    }
    // About one code in eleven has no digit, so an upper-case word of the codes' letters is scrubbed too.
    const letters = [...JOIN_CODE_ALPHABET].filter((c) => /[A-Z]/.test(c));
    const wordLike = Array.from({ length: JOIN_CODE_LENGTH }, (_, i) => letters[(i * 7) % letters.length]).join('');
    expect(scrubText(`no session for ${wordLike}`)).toBe(`no session for ${REDACTED}`);
    expect(scrubText('no session for STRATEGY')).toBe(`no session for ${REDACTED}`);
  });
});
