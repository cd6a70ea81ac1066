import type { ReactNode } from 'react';
import { Link } from './Link.tsx';

/** The top bar every screen shares: the product mark, what this screen is, and screen-specific status. */
export function AppHeader({ context, children, compact = false }: { context?: ReactNode; children?: ReactNode; compact?: boolean }) {
  return (
    <header className={`app-header${compact ? ' app-header--compact' : ''}`}>
      <Link href="/" className="brand" aria-label="Rubicon home">
        <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
          <rect width="32" height="32" rx="7" fill="#f2b84b" />
          <path d="M3 21 C9 15, 13 25, 19 19 S 27 15, 29 15" stroke="#1a1204" strokeWidth="3" fill="none" strokeLinecap="round" />
          <rect x="14" y="6" width="4" height="20" rx="1" fill="#1a1204" />
        </svg>
        <span className="brand__name">Rubicon</span>
      </Link>
      {context && <div className="app-header__context">{context}</div>}
      {children && <div className="app-header__status">{children}</div>}
    </header>
  );
}
