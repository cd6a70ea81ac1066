/** frame-bytes.ts's arithmetic: frames' sizes by kind and role, and an update frame's bytes field by field. */

/** One frame a client received: its role, and the text (engine.io type, then the socket.io packet). */
export interface Frame {
  role: string;
  text: string;
}

const bytesOf = (s: string): number => Buffer.byteLength(s, 'utf8');
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : Math.round((10 * xs.reduce((a, b) => a + b, 0)) / xs.length) / 10);

/** Mean bytes of the update frames (all, and by role) and of the acknowledgements. */
export function summarise(updates: readonly Frame[], acks: readonly Frame[]): Record<string, unknown> {
  const byRole: Record<string, number> = {};
  for (const role of new Set(updates.map((f) => f.role))) byRole[role] = mean(updates.filter((f) => f.role === role).map((f) => bytesOf(f.text)));
  return {
    updateFrames: updates.length,
    updateBytesMean: mean(updates.map((f) => bytesOf(f.text))),
    updateBytesByRole: byRole,
    ackFrames: acks.length,
    ackBytesMean: mean(acks.map((f) => bytesOf(f.text))),
  };
}

/** `"key":<value>` and its separating comma: what one key of an object costs in its JSON. */
const memberBytes = (key: string, value: unknown): number => bytesOf(JSON.stringify(key)) + 1 + bytesOf(JSON.stringify(value)) + 1;

/**
 * Mean bytes per update frame by part: the packet's framing (`42["update",` … `]`), the payload's own keys, and
 * each key of its one message (`"key":value,`, so the parts add up to the frame but for an object's braces,
 * counted under `braces`).
 */
export function fieldBytes(updates: readonly Frame[]): Record<string, number> {
  const sums: Record<string, number[]> = {};
  const add = (k: string, n: number) => (sums[k] ??= []).push(n);
  for (const f of updates) {
    const [, payload] = JSON.parse(f.text.slice(2)) as [string, Record<string, unknown>];
    const payloadText = JSON.stringify(payload);
    add('framing 42["update",…]', bytesOf(f.text) - bytesOf(payloadText));
    let braces = 2;
    for (const [key, value] of Object.entries(payload)) {
      if (key !== 'messages' || !Array.isArray(value) || value.length !== 1) {
        add(`payload.${key}`, memberBytes(key, value));
        continue;
      }
      add('payload.messages (key and [])', bytesOf('"messages":[]') + 1);
      braces += 2;
      for (const [mk, mv] of Object.entries(value[0] as Record<string, unknown>)) add(`message.${mk}`, memberBytes(mk, mv));
    }
    // Each object's last member has no comma: two objects' worth of commas counted above are not in the text.
    add('braces, less the last members\' commas', braces - 2);
  }
  const out: Record<string, number> = {};
  for (const [k, xs] of Object.entries(sums)) out[k] = mean(xs);
  return out;
}
