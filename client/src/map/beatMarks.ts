import type { MapMark } from '@rubicon/shared';
import { loadJson, saveText } from '../net/storage.ts';

/**
 * The opening marks of beats this screen has seen open (the Damascus strike
 * stays on the map after its beat). The view carries only the open beat's
 * marks, so they are remembered per session, in storage, across reloads.
 */
export type BeatMarks = Readonly<Record<string, readonly MapMark[]>>;

const key = (sessionId: string) => `beatmarks:${sessionId}`;

export function loadBeatMarks(sessionId: string): BeatMarks {
  const stored = loadJson<Record<string, MapMark[]>>(key(sessionId));
  return stored && typeof stored === 'object' ? stored : {};
}

/** Adds a beat's marks; returns the same object when nothing changes. */
export function withBeatMarks(current: BeatMarks, beatId: string, marks: readonly MapMark[]): BeatMarks {
  const prev = current[beatId];
  if (marks.length === 0 || (prev && JSON.stringify(prev) === JSON.stringify(marks))) return current;
  return { ...current, [beatId]: marks };
}

export function saveBeatMarks(sessionId: string, marks: BeatMarks): void {
  saveText(key(sessionId), JSON.stringify(marks));
}
