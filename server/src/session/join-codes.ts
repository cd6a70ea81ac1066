import type { JoinCode } from '@rubicon/shared';
import { newJoinCode } from './secrets.ts';

// A new session's join codes: drawn apart from the directory that stores them (session-directory.ts).

/** A code for each seat in play, the observers and the co-facilitator, no two alike. */
export function drawCodes(seats: readonly string[]): JoinCode[] {
  const used = new Set<string>();
  const draw = (): string => {
    let code = newJoinCode();
    while (used.has(code)) code = newJoinCode();
    used.add(code);
    return code;
  };
  return [
    ...seats.map((seat): JoinCode => ({ role: { kind: 'seat', seat }, code: draw() })),
    { role: { kind: 'observer' }, code: draw() },
    { role: { kind: 'facilitator' }, code: draw() },
  ];
}

/** The codes to hand out, and apart from them the co-facilitator code (never projected). */
export function splitCodes(codes: readonly JoinCode[]): { codes: JoinCode[]; facilitatorCode: string | null } {
  return { codes: codes.filter((c) => c.role.kind !== 'facilitator'), facilitatorCode: codes.find((c) => c.role.kind === 'facilitator')?.code ?? null };
}
