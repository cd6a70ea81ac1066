import { useState } from 'react';
import { Link } from '../common/Link.tsx';
import { ApiError, createSession, type ScenarioSummary } from '../net/api.ts';
import { rememberHostedSession } from '../net/storage.ts';
import { navigate, paths } from '../router.ts';
import { PresetPicker } from './PresetPicker.tsx';

const TIMER_SCALES = [
  { value: '0.1', label: '×0.1 very fast (tests)' },
  { value: '0.25', label: '×¼ quick' },
  { value: '0.5', label: '×½ short' },
  { value: '1', label: '×1 standard' },
  { value: '1.5', label: '×1.5 relaxed' },
  { value: '2', label: '×2 seminar' },
];

/** Home's "Run an exercise" form: the scenario, its optional seats and class length, then Create session (which opens setup). */
export function CreateSessionForm({ scenarios }: { scenarios: readonly ScenarioSummary[] }) {
  const [scenarioId, setScenarioId] = useState(scenarios[0]?.id ?? '');
  const [title, setTitle] = useState('');
  const [seed, setSeed] = useState('');
  const [timerScale, setTimerScale] = useState('1');
  const [preset, setPreset] = useState<string | null>(null);
  const [review, setReview] = useState(true);
  const [optional, setOptional] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const scenario = scenarios.find((s) => s.id === scenarioId);
  const optionalSeats = scenario?.seats.filter((s) => s.optional) ?? [];

  const create = async () => {
    if (!scenario) return;
    setBusy(true);
    setError(null);
    const trimmedSeed = seed.trim();
    try {
      const created = await createSession({
        scenarioId: scenario.id,
        timerScale: Number(timerScale),
        ...(preset && scenario.presets.some((p) => p.id === preset) ? { preset } : {}),
        review,
        optionalSeats: optional.filter((o) => optionalSeats.some((s) => s.id === o)),
        ...(trimmedSeed ? { seed: trimmedSeed } : {}),
        ...(title.trim() ? { title: title.trim() } : {}),
      });
      rememberHostedSession(created, title.trim() || scenario.title, Date.now());
      navigate(paths.setup(created.sessionId));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The session could not be created.');
      setBusy(false);
    }
  };

  return (
    <form
      className="create-form"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <ScenarioChoice
        scenarios={scenarios}
        chosen={scenarioId}
        onChoose={(id) => {
          setScenarioId(id);
          setPreset(null);
        }}
      />

      <OptionalSeats seats={optionalSeats} chosen={optional} onChange={setOptional} />

      {scenario && (
        <p className="small" data-testid="guide-links">
          Before class: the <Link href={paths.guide(scenario.id)}>facilitator guide</Link> and the{' '}
          <Link href={paths.handouts(scenario.id)}>student handouts</Link>, to read or print.
        </p>
      )}
      {scenario && <PresetPicker scenario={scenario} preset={preset} onPreset={setPreset} timerScale={Number(timerScale)} />}

      <div className="form-grid">
        <label className="stack">
          Session title <span className="muted small">(optional)</span>
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} placeholder="e.g. Period 3, Security Studies" data-testid="session-title" />
        </label>
        <label className="stack">
          Clock
          <select value={timerScale} onChange={(e) => setTimerScale(e.target.value)} disabled={preset !== null} data-testid="timer-scale">
            {TIMER_SCALES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="stack">
          Random seed <span className="muted small">(optional: the same seed replays the same draws)</span>
          <input value={seed} onChange={(e) => setSeed(e.target.value)} maxLength={128} placeholder="left empty: chosen by the server" data-testid="seed" />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={review} onChange={(e) => setReview(e.target.checked)} data-testid="review" /> The white cell reviews each
        adjudication before it applies
      </label>
      {error && (
        <p className="alert" role="alert" data-testid="create-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn--primary btn--large" disabled={busy || !scenario} data-testid="create-session">
        {busy ? 'Creating…' : 'Create session'}
      </button>
    </form>
  );
}

function ScenarioChoice({ scenarios, chosen, onChoose }: { scenarios: readonly ScenarioSummary[]; chosen: string; onChoose: (id: string) => void }) {
  return (
    <fieldset>
      <legend>Scenario</legend>
      {scenarios.map((s) => (
        <label key={s.id} className={`scenario-card${s.id === chosen ? ' scenario-card--checked' : ''}`}>
          <input type="radio" name="scenario" value={s.id} checked={s.id === chosen} onChange={() => onChoose(s.id)} data-testid={`scenario-${s.id}`} />
          <span>
            <span className="scenario-card__title">{s.title}</span>
            <span className="scenario-card__summary">{s.summary}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function OptionalSeats({
  seats,
  chosen,
  onChange,
}: {
  seats: readonly ScenarioSummary['seats'][number][];
  chosen: readonly string[];
  onChange: (update: (chosen: string[]) => string[]) => void;
}) {
  if (seats.length === 0) return null;
  return (
    <fieldset>
      <legend>Optional seats</legend>
      <p className="muted small">Required seats always play. Add these if you have enough people.</p>
      <div className="checks">
        {seats.map((s) => (
          <label key={s.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(s.id)}
              onChange={(e) => onChange((o) => (e.target.checked ? [...o, s.id] : o.filter((x) => x !== s.id)))}
              data-testid={`optional-seat-${s.id}`}
            />{' '}
            {s.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
