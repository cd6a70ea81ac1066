import type { Beat, Outcome, Scenario, SeatId, Variant } from '../scenario/schema.ts';
import { conditionHolds, type World } from './world.ts';

/** Which text was shown: -1 for the base text, else the index of the variant. */
export type VariantIndex = number;

export const BASE_TEXT: VariantIndex = -1;

/** The first variant whose condition holds in `world`, else the base text. */
export function chooseVariant(variants: readonly Variant[], world: World): VariantIndex {
  return variants.findIndex((v) => conditionHolds(world, v.when));
}

/** The text for a recorded choice; an index the data no longer has falls back to the base text. */
export function variantText(base: string, variants: readonly Variant[], index: VariantIndex): string {
  return (index >= 0 ? variants[index]?.text : undefined) ?? base;
}

/**
 * The texts a beat opened with, chosen against the world when it opened and
 * kept in the state, so every view and every replay shows what was shown
 * then, whatever happened during the beat.
 */
export interface BeatTexts {
  situation: VariantIndex;
  /** Per briefed seat. */
  briefings: Record<SeatId, VariantIndex>;
}

export function chooseBeatTexts(beat: Beat, world: World): BeatTexts {
  return {
    situation: chooseVariant(beat.situationVariants, world),
    briefings: Object.fromEntries(Object.keys(beat.briefings).map((seat) => [seat, chooseVariant(beat.briefingVariants[seat] ?? [], world)])),
  };
}

export function situationText(beat: Beat, texts: BeatTexts | null): string {
  return variantText(beat.situation, beat.situationVariants, texts?.situation ?? BASE_TEXT);
}

export function briefingText(beat: Beat, seat: SeatId, texts: BeatTexts | null): string | null {
  const base = beat.briefings[seat];
  if (base === undefined) return null;
  return variantText(base, beat.briefingVariants[seat] ?? [], texts?.briefings[seat] ?? BASE_TEXT);
}

export function outcomeDescription(scenario: Scenario, outcomeId: string, index: VariantIndex): string {
  const outcome: Outcome | undefined = scenario.outcomes.find((o) => o.id === outcomeId);
  return outcome ? variantText(outcome.description, outcome.descriptionVariants, index) : '';
}

export function chooseOutcomeDescription(scenario: Scenario, outcomeId: string, world: World): VariantIndex {
  return chooseVariant(scenario.outcomes.find((o) => o.id === outcomeId)?.descriptionVariants ?? [], world);
}
