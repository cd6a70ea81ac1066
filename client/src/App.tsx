import { lazy, Suspense, useEffect } from 'react';
import { AppHeader } from './common/AppHeader.tsx';
import { Link } from './common/Link.tsx';
import { Home } from './lobby/Home.tsx';
import { Join } from './lobby/Join.tsx';
import { TeamConsole } from './play/TeamConsole.tsx';
import { useRoute, type Route } from './router.ts';

/*
 * The screens a phone opens (Home, Join, the team console) are in boot.tsx's
 * chunk, which main.tsx asks for as soon as it runs: a player on a slow link
 * should not wait for a further round trip.
 * Every other screen is its own chunk, fetched when it is first opened, so the
 * console does not carry the display's map, the replay's engine, the report's
 * charts or the guide.
 */
const FacilitatorConsole = lazy(() => import('./facilitate/FacilitatorConsole.tsx').then((m) => ({ default: m.FacilitatorConsole })));
const Guide = lazy(() => import('./guide/Guide.tsx').then((m) => ({ default: m.Guide })));
const Handouts = lazy(() => import('./guide/Handouts.tsx').then((m) => ({ default: m.Handouts })));
const Setup = lazy(() => import('./lobby/Setup.tsx').then((m) => ({ default: m.Setup })));
const SharedDisplay = lazy(() => import('./display/SharedDisplay.tsx').then((m) => ({ default: m.SharedDisplay })));
const ReplayViewer = lazy(() => import('./replay/ReplayViewer.tsx').then((m) => ({ default: m.ReplayViewer })));
const ReportPage = lazy(() => import('./report/ReportPage.tsx').then((m) => ({ default: m.ReportPage })));
const ComparePage = lazy(() => import('./report/ComparePage.tsx').then((m) => ({ default: m.ComparePage })));

export function App() {
  const route = useRoute();
  useEffect(() => {
    // A new screen: start at the top, with focus at the start of the document for keyboard users.
    window.scrollTo(0, 0);
  }, [route.name]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Suspense fallback={<Loading />}>
        <Screen route={route} />
      </Suspense>
    </>
  );
}

function Loading() {
  return (
    <div className="page">
      <main id="main" className="narrow" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'join':
      return <Join key={route.code} code={route.code} />;
    case 'setup':
      return <Setup key={route.sessionId} sessionId={route.sessionId} />;
    case 'play':
      return <TeamConsole key={`${route.sessionId}:${route.seat ?? ''}`} sessionId={route.sessionId} seat={route.seat} />;
    case 'display':
      return <SharedDisplay key={route.sessionId} sessionId={route.sessionId} />;
    case 'facilitate':
      return <FacilitatorConsole key={route.sessionId} sessionId={route.sessionId} />;
    case 'guide':
      return <Guide key={route.scenarioId} scenarioId={route.scenarioId} />;
    case 'handouts':
      return <Handouts key={route.scenarioId} scenarioId={route.scenarioId} />;
    case 'replay':
      return <ReplayViewer key={route.sessionId} sessionId={route.sessionId} />;
    case 'report':
      return <ReportPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'compare':
      return <ComparePage />;
    case 'notFound':
      return (
        <div className="page">
          <AppHeader />
          <main id="main" className="narrow">
            <section className="panel">
              <h1>Nothing here</h1>
              <p>
                There is no page at <span className="mono">{route.path}</span>. <Link href="/">Go to the start page</Link>.
              </p>
            </section>
          </main>
        </div>
      );
  }
}
