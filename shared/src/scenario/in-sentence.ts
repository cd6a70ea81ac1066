import type { Seat } from './schema.ts';

/**
 * Seat names inside generated sentences (bots' lines, relays, the debrief's causes): the form a
 * sentence uses, its capital at a sentence's start, its possessive.
 */

/** A seat's name as generated sentences embed it (see `Seat.inSentence`): the one place the default is decided. */
export function seatInSentence(seat: Pick<Seat, 'name' | 'inSentence'>): string {
  return seat.inSentence ?? seat.name;
}

/** The text with its first letter capitalised, for a name that starts a sentence ("the mediators" → "The mediators"). */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The possessive: the apostrophe alone after a final s ("the United States’"), else ’s. */
export function possessive(name: string, apostrophe = '’'): string {
  return name.endsWith('s') ? `${name}${apostrophe}` : `${name}${apostrophe}s`;
}
