import { shippedScenarios } from '../node/scenario-files.ts';
import { viewFor } from '../src/game/view.ts';
import { Driver } from './driver.ts';

/**
 * A whole April 2024 game played the way a class would: the historical
 * move where the menu has it (else the default), a few public, private and
 * team messages per beat, one inject and one override. Used by the replay
 * tests as a realistic log.
 */
export function playedGame(seed: string | number = 'replay-seed'): Driver {
  const scenario = shippedScenarios().get('april-2024');
  if (!scenario) throw new Error('april-2024 scenario missing');
  const d = new Driver(scenario, { seed });
  const historical = new Map(scenario.historicalPath.map((s) => [`${s.beat}:${s.seat}`, s.move]));
  const tick = () => (d.now += 7_000);
  d.fac({ type: 'START' });
  tick();
  d.fac({ type: 'ADVANCE' });
  let plannings = 0;
  let adjudications = 0;
  for (let round = 0; round < 40 && d.phase !== 'outcome'; round++) {
    tick();
    if (d.phase === 'planning') {
      const beat = d.ctx.beat!;
      if (++plannings === 2) d.fac({ type: 'FIRE_INJECT', inject: scenario.injects[0]!.id });
      d.seat('israel', { type: 'SEND_MESSAGE', channel: 'israel-us', text: `Private to Washington in ${beat}` });
      d.seat('iran', { type: 'SEND_MESSAGE', channel: 'team-iran', text: `Iran team note in ${beat}` });
      d.seat('us', { type: 'SEND_MESSAGE', channel: 'public', text: `US statement in ${beat}` });
      const view = viewFor(d.game, d.state, { kind: 'facilitator' });
      for (const s of view.beat?.actingSeats ?? []) {
        const menu = viewFor(d.game, d.state, { kind: 'seat', seat: s }).menu;
        if (!menu) continue;
        const wanted = historical.get(`${beat}:${s}`);
        const move = menu.moves.some((m) => m.id === wanted) ? wanted! : menu.defaultMove;
        d.seat(s, { type: 'SUBMIT_MOVE', move, rationale: `${s} reasons about ${beat}`, lock: false });
        tick();
        if (d.phase === 'planning') d.seat(s, { type: 'SUBMIT_MOVE', move, rationale: `${s} reasons about ${beat}, final`, lock: true });
      }
      if (d.phase === 'planning') d.fac({ type: 'ADVANCE' });
    } else if (d.phase === 'adjudication') {
      if (++adjudications === 3) d.fac({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'ladder', delta: 0 }], reason: 'The white cell keeps the ladder where it is.' });
      else d.fac({ type: 'ACCEPT_ADJUDICATION' });
    } else d.fac({ type: 'ADVANCE' });
  }
  if (d.phase !== 'outcome') throw new Error(`the game did not reach an outcome (phase ${d.phase})`);
  return d;
}
