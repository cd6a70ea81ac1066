import { useEffect, useState } from 'react';
import { AppHeader } from '../common/AppHeader.tsx';
import { JoinForm } from './JoinForm.tsx';
import { ApiError, listScenarios, type ScenarioSummary } from '../net/api.ts';
import { MySessions } from './MySessions.tsx';
import { OpenSessionFile } from './OpenSessionFile.tsx';
import { CreateSessionForm } from './CreateSessionForm.tsx';

export function Home() {
  const [scenarios, setScenarios] = useState<ScenarioSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Rubicon: a crisis wargame';
    listScenarios().then(setScenarios, (err: unknown) => setLoadError(err instanceof ApiError ? err.message : 'Could not load the scenarios.'));
  }, []);

  return (
    <div className="page page--home">
      <AppHeader />
      <main id="main" className="home">
        <section className="hero" aria-labelledby="home-heading">
          <p className="eyebrow">Real-time crisis simulation</p>
          <h1 id="home-heading">Decide under pressure. See where it leads.</h1>
          <p className="hero__lede">
            Teams play the governments in a crisis, move by move, against the clock. A white cell adjudicates, the projector shows the region as it
            escalates, and every decision is recorded for the debrief.
          </p>
        </section>

        <div className="home__grid">
          <section className="panel" aria-labelledby="join-heading">
            <h2 id="join-heading" className="panel-title">
              Join a team
            </h2>
            <p className="muted">Your facilitator has a code for your team (or scan the QR code on the screen).</p>
            <JoinForm autoFocus />
          </section>

          <section className="panel" aria-labelledby="create-heading">
            <h2 id="create-heading" className="panel-title">
              Run an exercise
            </h2>
            {loadError && (
              <p className="alert" role="alert">
                {loadError}
              </p>
            )}
            {!scenarios && !loadError && <p className="muted">Loading scenarios…</p>}
            {scenarios && <CreateSessionForm scenarios={scenarios} />}
          </section>
        </div>

        <OpenSessionFile />
        <MySessions />
      </main>
    </div>
  );
}
