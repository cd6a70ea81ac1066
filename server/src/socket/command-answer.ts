import type { CommandResult } from '@rubicon/shared';

/**
 * A command's answer (CommandResult), as a class so that the acknowledgement's
 * encoder (update-encoding.ts, ackText) can tell it from any other answer and
 * write its JSON itself: JSON.stringify of the three fields and the `Ack`
 * around them was about 5,000 instructions a command under callgrind, as
 * much as the update's own stringify (docs/performance.md, 6 December). The
 * fields are declared in the order the object literal it replaces had them,
 * so JSON.stringify of it, and `json()`, write the same bytes.
 */
export class CommandAnswer implements CommandResult {
  constructor(
    readonly version: number,
    readonly duplicate: boolean,
    readonly gameVersion: number,
  ) {}

  /** What JSON.stringify writes for this answer; written by hand for integers, the only numbers a version takes. */
  json(): string {
    const { version, duplicate, gameVersion } = this;
    if (!Number.isSafeInteger(version) || !Number.isSafeInteger(gameVersion) || typeof duplicate !== 'boolean') return JSON.stringify(this);
    return `{"version":${version},"duplicate":${duplicate},"gameVersion":${gameVersion}}`;
  }
}
