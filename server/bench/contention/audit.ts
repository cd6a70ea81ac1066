/**
 * The contention bench's audit: the exported log against the
 * acknowledgements. Each acknowledged command must be in the log exactly
 * once, and acknowledged at a version of its sender's own stream that
 * includes it (docs/protocol.md), however many of a writer's commands were
 * in flight at once.
 */

export interface AuditResult {
  acknowledged: number;
  lost: number;
  duplicated: number;
  wrongVersion: number;
}

/**
 * `log`: the exported entries (command id and seq); `acked`: each
 * acknowledgement's command id and version; `streamVersionAfter`: per command
 * id, its sender's stream version right after its entry (senderStreamVersions).
 */
export function auditAcknowledgements(
  log: readonly { commandId: string; seq: number }[],
  acked: readonly { commandId: string; version: number }[],
  streamVersionAfter: ReadonlyMap<string, number>,
): AuditResult {
  const seqs = new Map<string, number>();
  for (const e of log) seqs.set(e.commandId, (seqs.get(e.commandId) ?? 0) + 1);
  return {
    acknowledged: acked.length,
    lost: acked.filter((a) => !seqs.has(a.commandId)).length,
    duplicated: [...seqs.values()].filter((n) => n > 1).length,
    // A lost command has no version to meet; it is counted as lost, not here too.
    wrongVersion: acked.filter((a) => seqs.has(a.commandId) && a.version < (streamVersionAfter.get(a.commandId) ?? Infinity)).length,
  };
}
