import type { GameView, JoinCode, SessionSummary } from '@rubicon/shared';
import type { BotOptions } from '@rubicon/shared/bots';
import { QrCode } from './QrCode.tsx';
import { SeatBotPicker } from './SeatBotPicker.tsx';
import { SeatChip } from '../facilitate/SeatStatus.tsx';
import type { Session } from '../net/useSession.ts';
import type { AccessAction } from './useSetupSummary.ts';
import { paths } from '../router.ts';

type Access = (key: string, action: AccessAction) => void;
export type SeatCode = JoinCode & { role: { kind: 'seat'; seat: string } };

/** A card's "New code" and "Revoke" buttons for one access key. */
function AccessButtons({ k, label, access }: { k: string; label: string; access: Access }) {
  return (
    <p className="code-card__actions">
      <button type="button" className="btn btn--small" data-testid={`reissue-${k}`} onClick={() => access(k, 'reissue')}>
        New code<span className="visually-hidden"> for {label}</span>
      </button>{' '}
      <button type="button" className="btn btn--small" data-testid={`revoke-${k}`} onClick={() => access(k, 'revoke')}>
        Revoke<span className="visually-hidden"> {label}</span>
      </button>
    </p>
  );
}

interface SeatCardProps {
  code: SeatCode;
  session: Session;
  view: GameView;
  bots: { options: BotOptions | null; error: string | null };
  /** Devices joined on this seat. */
  joined: number;
  origin: string;
  /** Null until the facilitator's summary has loaded: no access buttons before then. */
  access: Access | null;
}

/** One seat's code, QR code and link, who plays it, and whether anyone has joined. */
export function SeatCodeCard({ code: c, session, view, bots, joined: n, origin, access }: SeatCardProps) {
  const seat = view.scenario.seats.find((s) => s.id === c.role.seat);
  const url = `${origin}${paths.join(c.code)}`;
  return (
    <li className="code-card" data-testid={`seat-card-${c.role.seat}`} style={seat ? { ['--seat' as string]: seat.color } : undefined}>
      <h3 className="code-card__seat">{seat ? <SeatChip seat={seat} /> : c.role.seat}</h3>
      {seat && <p className="code-card__desc">{seat.description}</p>}
      <p className="code-card__code" data-testid={`code-${c.role.seat}`} aria-label={`Join code for ${seat?.name ?? c.role.seat}: ${c.code.split('').join(' ')}`}>
        {c.code}
      </p>
      <QrCode url={url} label={`QR code to join as ${seat?.name ?? c.role.seat}`} size={140} />
      <a className="code-card__link mono" href={url} data-testid={`join-link-${c.role.seat}`}>
        {url.replace(/^https?:\/\//, '')}
      </a>
      <SeatBotPicker session={session} view={view} seat={c.role.seat} bots={bots} />
      <p className={`code-card__presence${n > 0 ? ' code-card__presence--joined' : ''}`} data-testid={`presence-${c.role.seat}`} data-joined={n > 0}>
        <span aria-hidden="true">{n > 0 ? '● ' : '○ '}</span>
        {n > 0 ? `Joined: ${n} device${n === 1 ? '' : 's'}` : 'Waiting to join'}
      </p>
      {access && <AccessButtons k={c.role.seat} label={seat?.name ?? c.role.seat} access={access} />}
    </li>
  );
}

/** The observers' (and shared display's) code. */
export function ObserverCodeCard({ code, connected, origin, access }: { code: string; connected: number; origin: string; access: Access | null }) {
  const url = `${origin}${paths.join(code)}`;
  return (
    <li className="code-card code-card--observer" data-testid="seat-card-observer">
      <h3 className="code-card__seat">Shared display and observers</h3>
      <p className="code-card__desc">For the projector, the press or graders: sees what is public, never a team’s secrets.</p>
      <p className="code-card__code" data-testid="code-observer">
        {code}
      </p>
      <QrCode url={url} label="QR code to join as an observer" size={140} />
      <a className="code-card__link mono" href={url} data-testid="join-link-observer">
        {url.replace(/^https?:\/\//, '')}
      </a>
      <p className="code-card__presence">Connected: {connected}</p>
      {access && <AccessButtons k="observer" label="observers" access={access} />}
    </li>
  );
}

/** The code that opens the facilitator console on a second device. */
export function CoFacilitatorCard({ summary, access }: { summary: SessionSummary; access: Access }) {
  return (
    <li className="code-card code-card--observer" data-testid="seat-card-facilitator">
      <h3 className="code-card__seat">Co-facilitator</h3>
      <p className="code-card__desc">Opens this console on another device. Keep it off the projector.</p>
      <p className="code-card__code" data-testid="code-facilitator">
        {summary.facilitatorCode ?? 'revoked'}
      </p>
      <AccessButtons k="facilitator" label="the co-facilitator code" access={access} />
    </li>
  );
}
