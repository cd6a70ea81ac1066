import { useEffect, useState } from 'react';
import type { Marker, MarkerKind } from '@rubicon/shared';

export const SPEEDS = [1, 2, 4, 8, 16, 32] as const;
export type Speed = (typeof SPEEDS)[number];

const KIND_LABEL: Record<MarkerKind, string> = {
  beat: 'Beat opens',
  move: 'Move',
  message: 'Message',
  inject: 'Inject',
  override: 'Override',
  rewind: 'Rewind',
  outcome: 'Outcome',
  control: 'Clock or phase',
};
const SHOWN: MarkerKind[] = ['beat', 'move', 'message', 'inject', 'override', 'rewind', 'outcome'];

interface Props {
  version: number;
  length: number;
  markers: readonly Marker[];
  beats: { version: number; label: string }[];
  onSeek: (version: number) => void;
}

/**
 * The timeline of the whole session: a slider over every event, marks for
 * the moments that matter, stepping, playback at 1×–32× session time, and
 * jumps between beats. Keyboard: ←/→ one event, Shift+←/→ a beat, Space
 * play/pause, Home/End, +/− speed.
 */
export function Scrubber({ version, length, markers, beats, onSeek }: Props) {
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<Speed>(8);
  const at = (v: number) => markers.find((m) => m.version === v)?.at;

  // Playback follows the events' own times, sped up; a long quiet gap is skipped after two seconds.
  useEffect(() => {
    if (!playing) return;
    if (version >= length) {
      setPlaying(false);
      return;
    }
    const now = at(version) ?? at(1) ?? 0;
    const next = at(version + 1) ?? now;
    const wait = Math.min(2000, Math.max(30, (next - now) / speed));
    const t = setTimeout(() => onSeek(version + 1), wait);
    return () => clearTimeout(t);
  }, [playing, version, speed, length]);

  const beatBefore = beats.filter((b) => b.version < version).at(-1);
  const beatAfter = beats.find((b) => b.version > version);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range')))
        return;
      if (e.key === 'ArrowRight') onSeek(e.shiftKey ? (beatAfter?.version ?? length) : version + 1);
      else if (e.key === 'ArrowLeft') onSeek(e.shiftKey ? (beatBefore?.version ?? 0) : version - 1);
      else if (e.key === ' ') setPlaying((p) => !p);
      else if (e.key === 'Home') onSeek(0);
      else if (e.key === 'End') onSeek(length);
      else if (e.key === '+' || e.key === '=') setSpeed((s) => SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(s) + 1)]!);
      else if (e.key === '-') setSpeed((s) => SPEEDS[Math.max(0, SPEEDS.indexOf(s) - 1)]!);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [version, length, beatAfter, beatBefore, onSeek]);

  const pct = (v: number) => (length === 0 ? 0 : (v / length) * 100);
  return (
    <section className="scrubber panel" aria-label="Session timeline" data-testid="scrubber">
      <div className="scrubber__marks" aria-hidden="true">
        {markers
          .filter((m) => SHOWN.includes(m.kind))
          .map((m) => (
            <button
              key={m.version}
              type="button"
              tabIndex={-1}
              className={`scrubber__mark scrubber__mark--${m.kind}`}
              style={{ left: `${pct(m.version)}%` }}
              title={`${KIND_LABEL[m.kind]} · event ${m.version}`}
              onClick={() => onSeek(m.version)}
            />
          ))}
        <span className="scrubber__cursor" style={{ left: `${pct(version)}%` }} />
      </div>
      <input
        type="range"
        className="scrubber__range"
        min={0}
        max={length}
        step={1}
        value={version}
        onChange={(e) => onSeek(Number(e.target.value))}
        aria-label="Event"
        aria-valuetext={`Event ${version} of ${length}`}
        data-testid="scrubber-range"
      />
      <div className="scrubber__controls">
        <button type="button" className="btn btn--small" onClick={() => onSeek(0)} aria-label="To the start" title="Home">
          ⏮
        </button>
        <button type="button" className="btn btn--small" onClick={() => onSeek(version - 1)} aria-label="One event back" title="←" data-testid="step-back">
          ◀ 1
        </button>
        <button type="button" className="btn btn--small btn--primary" onClick={() => setPlaying((p) => !p)} aria-pressed={playing} data-testid="play" title="Space">
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <button type="button" className="btn btn--small" onClick={() => onSeek(version + 1)} aria-label="One event forward" title="→" data-testid="step-forward">
          1 ▶
        </button>
        <button type="button" className="btn btn--small" onClick={() => onSeek(length)} aria-label="To the end" title="End">
          ⏭
        </button>
        <label className="scrubber__speed">
          Speed{' '}
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value) as Speed)} data-testid="speed">
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <label className="scrubber__beat">
          Jump to{' '}
          <select
            value=""
            onChange={(e) => {
              if (e.target.value !== '') onSeek(Number(e.target.value));
            }}
            data-testid="jump-beat"
          >
            <option value="">a beat…</option>
            {beats.map((b) => (
              <option key={b.version} value={b.version}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        <span className="scrubber__position mono" data-testid="scrubber-position">
          {version} / {length}
        </span>
      </div>
      <p className="small muted scrubber__keys">Keys: ← → one event · Shift+← → a beat · Space play · Home/End · + − speed</p>
    </section>
  );
}
