import { memo, useEffect, useMemo, useState, type Dispatch, type SetStateAction } from 'react';
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
  /** The event time of event `v` (1-based), for playback at session speed. */
  timeAt: (v: number) => number | undefined;
  onSeek: (version: number) => void;
}

/** At most this many marks of one kind across the strip: a long session's marks are grouped by stretch of events. */
const MARK_BINS = 400;

interface MarkGroup {
  kind: MarkerKind;
  /** The first event of the group, where a click goes. */
  version: number;
  last: number;
  count: number;
}

function groupMarks(markers: readonly Marker[], length: number): MarkGroup[] {
  const width = Math.max(1, Math.ceil(length / MARK_BINS));
  const groups = new Map<string, MarkGroup>();
  for (const m of markers) {
    if (!SHOWN.includes(m.kind)) continue;
    const key = `${m.kind}:${Math.floor(m.version / width)}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.last = m.version;
    } else groups.set(key, { kind: m.kind, version: m.version, last: m.version, count: 1 });
  }
  return [...groups.values()];
}

/**
 * The marks of the whole session. Memoised: they do not change while the
 * scrubber moves, and a long session has thousands of them.
 */
const MarkStrip = memo(function MarkStrip({ markers, length, onSeek }: { markers: readonly Marker[]; length: number; onSeek: (version: number) => void }) {
  const groups = useMemo(() => groupMarks(markers, length), [markers, length]);
  const pct = (v: number) => (length === 0 ? 0 : (v / length) * 100);
  return (
    <>
      {groups.map((g) => (
        <button
          key={`${g.kind}:${g.version}`}
          type="button"
          tabIndex={-1}
          className={`scrubber__mark scrubber__mark--${g.kind}`}
          style={{ left: `${pct(g.version)}%` }}
          title={g.count === 1 ? `${KIND_LABEL[g.kind]} · event ${g.version}` : `${KIND_LABEL[g.kind]} ×${g.count} · events ${g.version}–${g.last}`}
          onClick={() => onSeek(g.version)}
        />
      ))}
    </>
  );
});

/**
 * The timeline of the whole session: a slider over every event, marks for
 * the moments that matter, stepping, playback at 1×–32× session time, and
 * jumps between beats. Keyboard: ←/→ one event, Shift+←/→ a beat, Space
 * play/pause, Home/End, +/− speed.
 */
export function Scrubber({ version, length, markers, beats, timeAt, onSeek }: Props) {
  const playback = usePlayback(version, length, timeAt, onSeek);
  useScrubberKeys(version, length, beats, onSeek, playback);

  const pct = (v: number) => (length === 0 ? 0 : (v / length) * 100);
  return (
    <section className="scrubber panel" aria-label="Session timeline" data-testid="scrubber">
      <div className="scrubber__marks" aria-hidden="true">
        <MarkStrip markers={markers} length={length} onSeek={onSeek} />
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
      <ScrubberControls version={version} length={length} beats={beats} onSeek={onSeek} playback={playback} />
      <p className="small muted scrubber__keys">Keys: ← → one event · Shift+← → a beat · Space play · Home/End · + − speed</p>
    </section>
  );
}

interface Playback {
  playing: boolean;
  setPlaying: Dispatch<SetStateAction<boolean>>;
  speed: Speed;
  setSpeed: Dispatch<SetStateAction<Speed>>;
}

/** Playback follows the events' own times, sped up; a long quiet gap is skipped after two seconds. */
function usePlayback(version: number, length: number, at: Props['timeAt'], onSeek: Props['onSeek']): Playback {
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<Speed>(8);
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
  return { playing, setPlaying, speed, setSpeed };
}

/** The scrubber's keys, anywhere on the page but in a text field or a list. */
function useScrubberKeys(version: number, length: number, beats: Props['beats'], onSeek: Props['onSeek'], { setPlaying, setSpeed }: Playback): void {
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
}

interface ControlsProps {
  version: number;
  length: number;
  beats: Props['beats'];
  onSeek: Props['onSeek'];
  playback: Playback;
}

/** The buttons and lists under the slider: to the ends, one event, play, speed, jump to a beat, and where we are. */
function ScrubberControls({ version, length, beats, onSeek, playback: { playing, setPlaying, speed, setSpeed } }: ControlsProps) {
  return (
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
  );
}
