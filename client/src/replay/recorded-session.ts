import { Replayer, verifySessionFile, type Scenario, type SessionFile, type VerifiedSession } from '@rubicon/shared';
import { sessionFile, sessionScenario } from '../net/api.ts';

export interface LoadedRecording {
  file: SessionFile;
  scenario: Scenario;
  verified: VerifiedSession;
  /** Random access to every moment, built while the log was re-simulated for the check. */
  replayer: Replayer;
}

/**
 * A session's file and scenario from the server (facilitator token), checked
 * with the same verifier the server uses, so every later computation (replay,
 * report, comparison) rebuilds the session here exactly as it was played.
 * `scenarios` caches the scenarios already fetched, by id and version.
 */
export async function loadRecording(sessionId: string, token: string, scenarios?: Map<string, Promise<Scenario>>): Promise<LoadedRecording> {
  const file = await sessionFile(sessionId, token);
  const key = `${file.scenario.id}@${file.scenario.version}`;
  let scenario = scenarios?.get(key);
  if (!scenario) {
    scenario = sessionScenario(sessionId, token);
    scenarios?.set(key, scenario);
  }
  const s = await scenario;
  let replayer: Replayer | null = null;
  const r = verifySessionFile(file, (id) => (id === s.id ? s : undefined), (game, log) => (replayer = new Replayer(game, log)).final);
  if (!r.ok) throw new Error(`${r.problem.message} (${r.problem.where})`);
  if (!replayer) throw new Error('the session was verified without being rebuilt');
  return { file, scenario: s, verified: r.session, replayer };
}
