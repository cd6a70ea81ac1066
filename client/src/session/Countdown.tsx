import { useEffect, useRef, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { formatClock, minuteAnnouncement, remainingMs } from '../lib/time.ts';
import { useNow } from '../lib/useNow.ts';
import { serverNow } from '../net/clock.ts';

interface Props {
  timer: GameView['timer'];
  paused: boolean;
  phase: GameView['phase'];
  size?: 'normal' | 'large';
  /** What the clock is for, e.g. "Planning closes in". */
  label?: string;
}

/**
 * The beat's clock, computed from the server's absolute deadline (never a
 * local countdown that drifts). Screen readers hear it at minute marks only.
 */
export function Countdown({ timer, paused, phase, size = 'normal', label = 'Time left' }: Props) {
  const running = timer !== null && timer.deadline !== null && !paused;
  const ticked = useNow(250, running);
  // Read the clock afresh while it runs: the last tick can be from before a pause, and would make the face
  // jump by the pause's length for a moment on resume.
  const now = running ? Math.max(ticked, serverNow()) : ticked;
  const left = remainingMs(timer, now);
  const [announcement, setAnnouncement] = useState('');
  const prev = useRef<number | null>(null);

  useEffect(() => {
    const said = running ? minuteAnnouncement(prev.current, left) : null;
    if (said) setAnnouncement(said);
    prev.current = left;
  }, [left, running]);

  useEffect(() => {
    setAnnouncement(paused ? 'The clock is paused.' : '');
  }, [paused]);

  let face: string;
  let note: string | null = null;
  if (left === null) {
    face = '—';
    note = phase === 'adjudication' ? 'Adjudicating' : phase === 'resolution' ? 'Resolved' : 'No clock';
  } else {
    face = formatClock(left);
    if (paused || timer?.deadline === null) note = 'Paused';
    else if (left <= 0) note = 'Time is up';
  }
  const urgent = running && left !== null && left <= 30_000;

  return (
    <div className={`countdown countdown--${size}${urgent ? ' countdown--urgent' : ''}${note === 'Paused' ? ' countdown--paused' : ''}`} data-testid="countdown">
      <span className="countdown__label">{label}</span>
      <span className="countdown__face" role="timer" aria-live="off" aria-label={`${label}: ${face}${note ? `, ${note}` : ''}`}>
        {face}
      </span>
      {note && (
        <span className="countdown__note" data-testid="countdown-note">
          {note === 'Paused' ? '❚❚ ' : ''}
          {note}
        </span>
      )}
      <span className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </span>
    </div>
  );
}
