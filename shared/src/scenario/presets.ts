import { z } from 'zod';
import { Slug as Id } from './slug.ts';
import type { Scenario } from './schema.ts';
import type { ScenarioProblem } from './load.ts';

/**
 * Class-length presets: ready-made session setups ("50-minute class",
 * "half-day exercise") and the pacing figures that estimate how long a
 * session takes besides its timers (reading the situation and briefings,
 * adjudicating and reading the results). Like the teaching layer this is data
 * keyed by beat ids and checked by `presetProblems`; it imports the scenario
 * schema as a type only, because schema.ts embeds these schemas.
 */

const Ref = z.string().min(1).max(64);
const Seconds = z.number().int().min(0).max(7200);

/** Seconds a beat takes besides its timer. */
export const BeatPacing = z.object({ reading: Seconds.optional(), adjudication: Seconds.optional() }).strict();

export const Pacing = z
  .object({
    /** The opening briefing, read once before the first beat. */
    briefingSeconds: Seconds,
    /** Per beat, unless `beats` says otherwise: reading the situation, the briefing and the menu. */
    readingSeconds: Seconds,
    /** Per beat: the white cell's review and everyone reading the results. */
    adjudicationSeconds: Seconds,
    beats: z.record(Ref, BeatPacing).default({}),
  })
  .strict();
export type Pacing = z.infer<typeof Pacing>;

export const Preset = z
  .object({
    id: Id,
    title: z.string().min(1),
    description: z.string().min(1),
    /** The setup the preset applies; omitted fields keep the session's own choice. */
    timerScale: z.number().min(0.01).max(10).optional(),
    timerSeconds: z.record(Ref, z.number().int().min(5).max(7200)).default({}),
    review: z.boolean().optional(),
    /** Overrides of the scenario's pacing: a short class reads faster and debates less per beat. */
    pacing: Pacing.partial().optional(),
  })
  .strict();
export type Preset = z.infer<typeof Preset>;

export const Presets = z
  .object({
    pacing: Pacing,
    list: z.array(Preset).default([]),
  })
  .strict();
export type Presets = z.infer<typeof Presets>;

export function presetById(s: Scenario, id: string): Preset | undefined {
  return s.presets?.list.find((p) => p.id === id);
}

/** Which ids in the presets do not resolve against the scenario, each at its key path. */
export function presetProblems(s: Scenario): ScenarioProblem[] {
  const p = s.presets;
  if (!p) return [];
  const problems: ScenarioProblem[] = [];
  const beats = new Set(s.beats.map((b) => b.id));
  const beatRefs = (path: (string | number)[], ids: string[]) => {
    for (const id of ids) if (!beats.has(id)) problems.push({ path: ['presets', ...path, id], message: `unknown beat "${id}"` });
  };
  beatRefs(['pacing', 'beats'], Object.keys(p.pacing.beats));
  const seen = new Set<string>();
  p.list.forEach((preset, i) => {
    if (seen.has(preset.id)) problems.push({ path: ['presets', 'list', i, 'id'], message: `duplicate preset id "${preset.id}"` });
    seen.add(preset.id);
    beatRefs(['list', i, 'timerSeconds'], Object.keys(preset.timerSeconds));
    beatRefs(['list', i, 'pacing', 'beats'], Object.keys(preset.pacing?.beats ?? {}));
  });
  return problems;
}

/** The pacing a session uses: the scenario's, with its preset's overrides on top. */
export function pacingFor(s: Scenario, presetId: string | undefined): Pacing | null {
  const base = s.presets?.pacing;
  if (!base) return null;
  const over = presetId ? presetById(s, presetId)?.pacing : undefined;
  if (!over) return base;
  const beats: Pacing['beats'] = { ...base.beats };
  for (const [id, b] of Object.entries(over.beats ?? {})) beats[id] = { ...beats[id], ...b };
  return { ...base, ...over, beats };
}

/** The clock a preset sets. */
export function presetClock(preset: Preset): { timerScale: number; timerSeconds: Record<string, number> } {
  return { timerScale: preset.timerScale ?? 1, timerSeconds: preset.timerSeconds };
}

/** A session request with a preset's setup applied: the preset decides the clock, the request the rest. */
export function applyPreset<T extends { preset?: string | undefined; timerScale: number; timerSeconds: Record<string, number>; review: boolean }>(
  s: Scenario,
  request: T,
): { ok: true; setup: T } | { ok: false; message: string } {
  if (request.preset === undefined) return { ok: true, setup: request };
  const preset = presetById(s, request.preset);
  if (!preset) {
    const known = s.presets?.list.map((p) => `"${p.id}"`).join(', ');
    return { ok: false, message: `${s.title} has no preset "${request.preset}"${known ? `; it has ${known}` : ''}.` };
  }
  return {
    ok: true,
    setup: {
      ...request,
      timerScale: presetClock(preset).timerScale,
      timerSeconds: { ...presetClock(preset).timerSeconds, ...request.timerSeconds },
      review: preset.review ?? request.review,
    },
  };
}
