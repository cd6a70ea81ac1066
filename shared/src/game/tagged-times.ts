/**
 * One box for a public message's time, not two (docs/performance.md, "Two
 * objects fewer a message"). V8 keeps a number field that has only ever held
 * numbers as a double in a box of its own per object (16 B, a heap object the
 * collector marks), so a message and its log entry, which hold the same time,
 * held two boxes for the life of their session. A field that has once held
 * something else is a plain tagged field: the entry then keeps the number it
 * was given, and a message copying the entry's `at` copies the pointer to that
 * one box. Every object literal with the same keys in the same order has the
 * same shape, so these literals, made at load with a null time, make `at` a
 * tagged field of the log entry the command path makes (`{ seq, at, by,
 * commandId, command }`) and of the messages newMessage makes (game.ts), for
 * the whole process. No value changes: JSON, exports and snapshots read the
 * same.
 *
 * They must stay alive: V8 drops a shape no live object has, and the next
 * literal would make it afresh with a boxed double (the first try, whose
 * literals were unreferenced after load, changed nothing). A function that
 * holds them keeps them for the life of the module; and a call, unlike an
 * unused export (which esbuild's bundles, the fan-out bench's servers, drop),
 * is never tree-shaken away.
 */
let kept: readonly object[] = [];

/** Makes the shapes, once; game.ts calls it at load, before any message or entry is made. */
export function keepTaggedTimes(): readonly object[] {
  if (kept.length === 0) {
    kept = [
      { seq: 0, at: null, by: null, commandId: '', command: null },
      { id: '', seq: 0, at: null, channel: '', from: null, text: '', audience: null, to: null, relayOf: null, gameVersion: 0 },
      { id: '', seq: 0, at: null, channel: '', from: null, fromName: '', text: '', audience: null, to: null, relayOf: null, gameVersion: 0 },
    ];
  }
  return kept;
}
