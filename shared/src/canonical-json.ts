/**
 * JSON with object keys sorted, so two values that mean the same compare
 * equal whatever order their keys were written in (a command read back from
 * Redis against the same command received again from a client).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
