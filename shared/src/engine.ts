/**
 * The game engine alone: applying events, the headless runner and the
 * escalation scale, without the scenario parser, the replay and report
 * modules or the protocol. Worker threads that play simulated games import
 * this (they are handed a parsed scenario), so each starts in less time.
 */
export * from './game/game.ts';
export * from './analysis/runner.ts';
export * from './analysis/escalation.ts';
