import type { SessionEstimate } from '@rubicon/shared';

/** "37 min", or "1 h 05 min". */
export function formatMinutes(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The estimate of a standard clock at another scale: only the timers scale,
 * reading and adjudication do not (the server's estimate at scale 1 carries
 * both parts).
 */
export function scaleEstimate(standard: SessionEstimate, timerScale: number): SessionEstimate {
  const fixed = (b: SessionEstimate['beats'][number]) => b.readingSeconds + b.adjudicationSeconds;
  const beats = standard.beats.map((b) => ({ ...b, timerSeconds: Math.round(b.timerSeconds * timerScale) }));
  const total = standard.briefingSeconds + beats.reduce((sum, b) => sum + b.timerSeconds + fixed(b), 0);
  const ratio = standard.totalSeconds > 0 ? total / standard.totalSeconds : 1;
  return {
    ...standard,
    beats,
    totalSeconds: total,
    // The bounds follow other paths whose parts the listing does not carry; scaled in proportion they stay close.
    shortestSeconds: Math.round(standard.shortestSeconds * ratio),
    longestSeconds: Math.round(standard.longestSeconds * ratio),
  };
}

/** The estimated length of a session, with what it is made of. */
export function EstimateLine({ estimate, testId = 'session-estimate' }: { estimate: SessionEstimate; testId?: string }) {
  const timers = estimate.beats.reduce((s, b) => s + b.timerSeconds, 0);
  const reading = estimate.briefingSeconds + estimate.beats.reduce((s, b) => s + b.readingSeconds, 0);
  const adjudication = estimate.beats.reduce((s, b) => s + b.adjudicationSeconds, 0);
  const range = estimate.shortestSeconds !== estimate.longestSeconds;
  return (
    <p className="estimate" data-testid={testId} data-seconds={estimate.totalSeconds}>
      <span className="estimate__total">
        About <strong>{formatMinutes(estimate.totalSeconds)}</strong> of play
      </span>{' '}
      <span className="muted small">
        on the historical path ({estimate.beats.length} beats: {formatMinutes(timers)} of timers, {formatMinutes(reading)} reading,{' '}
        {formatMinutes(adjudication)} adjudicating{range ? `; ${formatMinutes(estimate.shortestSeconds)}–${formatMinutes(estimate.longestSeconds)} on other paths` : ''}),
        plus joining and the debrief.
      </span>
    </p>
  );
}
