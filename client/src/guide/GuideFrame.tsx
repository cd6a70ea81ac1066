import type { ReactNode } from 'react';
import { AppHeader } from '../common/AppHeader.tsx';
import { Link } from '../common/Link.tsx';
import { paths } from '../router.ts';
import type { DocumentState } from './useTeachingDocument.ts';
import type { TeachingDocument } from '@rubicon/shared';
import './guide.css';

/** The page around a printable document: a screen-only header and toolbar, the document itself printable. */
export function GuideFrame({ state, scenarioId, current, children }: { state: DocumentState; scenarioId: string; current: 'guide' | 'handouts'; children: (doc: TeachingDocument) => ReactNode }) {
  return (
    <div className="page page--guide">
      <div className="no-print">
        <AppHeader />
        <nav className="subnav guide-toolbar" aria-label="Printable documents">
          <Link href={paths.guide(scenarioId)} aria-current={current === 'guide' ? 'page' : undefined}>
            Facilitator guide
          </Link>
          <Link href={paths.handouts(scenarioId)} aria-current={current === 'handouts' ? 'page' : undefined}>
            Student handouts
          </Link>
          <button type="button" className="btn btn--small btn--primary" onClick={() => window.print()} data-testid="print">
            Print
          </button>
        </nav>
      </div>
      <main id="main" className="guide" data-testid={current}>
        {state.status === 'loading' && <p className="muted">Loading…</p>}
        {state.status === 'error' && (
          <p className="alert" role="alert">
            {state.message}
          </p>
        )}
        {state.status === 'ready' && children(state.doc)}
      </main>
    </div>
  );
}
