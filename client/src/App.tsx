import { useEffect } from 'react';
import { AppHeader } from './common/AppHeader.tsx';
import { Link } from './common/Link.tsx';
import { FacilitatorConsole } from './facilitate/FacilitatorConsole.tsx';
import { Guide } from './guide/Guide.tsx';
import { Handouts } from './guide/Handouts.tsx';
import { Home } from './lobby/Home.tsx';
import { Join } from './lobby/Join.tsx';
import { Setup } from './lobby/Setup.tsx';
import { SharedDisplay } from './display/SharedDisplay.tsx';
import { TeamConsole } from './play/TeamConsole.tsx';
import { useRoute, type Route } from './router.ts';
import { ReplayViewer } from './replay/ReplayViewer.tsx';
import { ReportPage } from './report/ReportPage.tsx';
import { ComparePage } from './report/ComparePage.tsx';

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
      <Screen route={route} />
    </>
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
