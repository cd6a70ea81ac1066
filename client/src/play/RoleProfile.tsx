import '../debrief/teach.css';
import type { RoleProfile as Profile } from '@rubicon/shared';

/** The lists of a role profile, shared by the team console, the debrief and the handouts. */
export function ProfileDetails({ profile, headingLevel = 3 }: { profile: Profile; headingLevel?: 3 | 4 }) {
  const H = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <div className="profile">
      <p className="prose">{profile.summary}</p>
      <div className="profile__grid">
        <div>
          <H className="subhead">Goals</H>
          <ul>
            {profile.goals.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </div>
        <div>
          <H className="subhead">Red lines</H>
          <ul>
            {profile.redLines.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </div>
        <div>
          <H className="subhead">Constraints</H>
          <ul>
            {profile.constraints.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </div>
        <div>
          <H className="subhead">Who decides</H>
          <ul>
            {profile.decisionMakers.map((d) => (
              <li key={d.name}>
                <strong>{d.name}</strong>: {d.role}
              </li>
            ))}
          </ul>
        </div>
      </div>
      <H className="subhead">Roles inside your team ({profile.teamRoles.length === 3 ? '3' : `3–${profile.teamRoles.length}`} people)</H>
      <ul className="profile__roles">
        {profile.teamRoles.map((r) => (
          <li key={r.title}>
            <strong>{r.title}</strong>: {r.duties}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Team console: this seat's standing role profile, private to the team. Open before play, folded during it. */
export function RoleProfilePanel({ profile, seatName, open }: { profile: Profile | null | undefined; seatName: string; open: boolean }) {
  if (!profile) return null;
  return (
    <section className="panel" aria-labelledby="profile-heading" data-testid="role-profile">
      <details open={open}>
        <summary>
          <h2 id="profile-heading" className="panel-title panel-title--inline">
            Your role: {seatName} <span className="tag">for your team only</span>
          </h2>
        </summary>
        <ProfileDetails profile={profile} />
      </details>
    </section>
  );
}
