import type { GameView } from '@rubicon/shared';

type MenuMove = NonNullable<GameView['menu']>['moves'][number];

interface Props {
  move: MenuMove;
  checked: boolean;
  onChange: () => void;
  /** A radio picks the one main move; a checkbox adds an "also" move beside it. */
  kind: 'main' | 'also';
}

/** One move on the menu as a tappable card: its title, what it does, and a tick once chosen. */
export function MoveCard({ move, checked, onChange, kind }: Props) {
  const descId = `${kind === 'main' ? 'move' : 'also'}-desc-${move.id}`;
  return (
    <label className={`move-card${kind === 'also' ? ' move-card--also' : ''}${checked ? ' move-card--checked' : ''}`}>
      <input
        type={kind === 'main' ? 'radio' : 'checkbox'}
        {...(kind === 'main' ? { name: 'move' } : {})}
        value={move.id}
        checked={checked}
        onChange={onChange}
        data-testid={`${kind === 'main' ? 'move' : 'also'}-option-${move.id}`}
        aria-describedby={descId}
      />
      <span className="move-card__body">
        <span className="move-card__title">
          {move.title}
          {checked && <span className="move-card__tick">{kind === 'main' ? ' ✓ Selected' : ' ✓ Also'}</span>}
        </span>
        <span className="move-card__desc" id={descId}>
          {move.description}
        </span>
      </span>
    </label>
  );
}
