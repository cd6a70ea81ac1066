import { GameSetup, SessionHeader, SessionParent } from '@rubicon/shared';
import { z } from 'zod';
import type { SessionMeta } from './types.ts';

/**
 * How a session's SessionMeta is laid out in its Redis hash (`session:{id}`,
 * redis-store.ts): one field per property, strings as they are, numbers in
 * decimal, objects as JSON. The optional properties have no field when absent,
 * so hashes written before they existed still read back.
 */

export const ViewerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seat'), seat: z.string() }),
  z.object({ kind: z.literal('observer') }),
  z.object({ kind: z.literal('facilitator') }),
]);
const SessionLineageSchema = z.object({ parent: SessionParent.nullable(), replayOf: SessionHeader.nullable() }).strict();
const JoinCodeSchema = z.object({ role: ViewerSchema, code: z.string() });

/** The session hash's field/value pairs, flat, in the order HSET takes them. */
export function sessionHashFields(meta: SessionMeta): string[] {
  return [
    'sessionId', meta.sessionId,
    'title', meta.title,
    'scenarioId', meta.scenarioId,
    'setup', JSON.stringify(meta.setup),
    'createdAt', String(meta.createdAt),
    'facilitatorTokenHash', meta.facilitatorTokenHash,
    'codes', JSON.stringify(meta.codes),
    ...(meta.lineage ? ['lineage', JSON.stringify(meta.lineage)] : []),
    ...(meta.maxPlayersPerSeat === undefined ? [] : ['maxPlayersPerSeat', String(meta.maxPlayersPerSeat)]),
  ];
}

/** The SessionMeta a session hash (HGETALL's reply) holds; throws on a missing or malformed field. */
export function decodeSessionHash(hash: Record<string, string>): SessionMeta {
  const field = (name: string): string => {
    const value = hash[name];
    if (value === undefined) throw new Error(`session hash lacks ${name}`);
    return value;
  };
  return {
    sessionId: field('sessionId'),
    title: field('title'),
    scenarioId: field('scenarioId'),
    setup: GameSetup.parse(JSON.parse(field('setup'))),
    createdAt: Number(field('createdAt')),
    facilitatorTokenHash: field('facilitatorTokenHash'),
    codes: z.array(JoinCodeSchema).parse(JSON.parse(field('codes'))),
    ...(hash.lineage === undefined ? {} : { lineage: SessionLineageSchema.parse(JSON.parse(hash.lineage)) }),
    ...(hash.maxPlayersPerSeat === undefined ? {} : { maxPlayersPerSeat: Number(hash.maxPlayersPerSeat) }),
  };
}
