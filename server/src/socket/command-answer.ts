import type { CommandResult } from '@rubicon/shared';

/**
 * A command's answer (CommandResult), as a class so that the acknowledgement's
 * encoder (update-encoding.ts, ackText) can tell it from any other answer and
 * write its JSON itself: JSON.stringify of the three fields and the `Ack`
 * around them was about 5,000 instructions a command under callgrind, as
 * much as the update's own stringify (docs/performance/fan-out-log.md,
 * "Callgrind of the message path again…"). The fields are declared in the
 * order the object literal it replaces had them,
 * so JSON.stringify of its `Ack`, and `ackJson`, write the same bytes.
 */
export class CommandAnswer implements CommandResult {
  constructor(
    readonly version: number,
    readonly duplicate: boolean,
    readonly gameVersion: number,
  ) {}

  /**
   * What JSON.stringify writes for `{ ok: true, data: this }` (an accepted command's `Ack`), after `head`; by hand
   * for integers, the only numbers a version takes. Few pieces: each `+` of a long string is a cons string, and a
   * first version of this, with a piece for each key and value, allocated 120-160 B a command more than
   * JSON.stringify's one flat string (docs/performance/fan-out-log.md, "Callgrind of the message path again…").
   */
  ackJson(head: string): string {
    const { version, duplicate, gameVersion } = this;
    if (!Number.isSafeInteger(version) || !Number.isSafeInteger(gameVersion) || typeof duplicate !== 'boolean') {
      return `${head}${JSON.stringify([{ ok: true, data: this }])}`;
    }
    return head + '[{"ok":true,"data":{"version":' + version + (duplicate ? DUPLICATE : NOT_DUPLICATE) + gameVersion + '}}]';
  }
}

const DUPLICATE = ',"duplicate":true,"gameVersion":';
const NOT_DUPLICATE = ',"duplicate":false,"gameVersion":';
