import { useState } from 'react';
import { Link } from '../common/Link.tsx';
import type { CreateSessionRequest } from '@rubicon/shared';
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

/** What the form holds besides the scenario, its preset and its optional seats. */
interface Settings {
  title: string;
  seed: string;
  timerScale: string;
  review: boolean;
}

/** The request the form sends: a preset or optional seat not of the chosen scenario is left out, and empty text means "not given". */
function createRequest(scenario: ScenarioSummary, settings: Settings, preset: string | null, optional: readonly string[]): CreateSessionRequest {
  const trimmedSeed = settings.seed.trim();
  const title = settings.title.trim();
  return {
    scenarioId: scenario.id,
    timerScale: Number(settings.timerScale),
    ...(preset && scenario.presets.some((p) => p.id === preset) ? { preset } : {}),
    review: settings.review,
    optionalSeats: optional.filter((o) => scenario.seats.some((s) => s.optional && s.id === o)),
    ...(trimmedSeed ? { seed: trimmedSeed } : {}),
    ...(title ? { title } : {}),
  };
}

/** Home's "Run an exercise" form: the scenario, its optional seats and class length, then Create session (which opens setup). */
export function CreateSessionForm({ scenarios }: { scenarios: readonly ScenarioSummary[] }) {
  const [scenarioId, setScenarioId] = useState(scenarios[0]?.id ?? '');
  const [settings, setSettings] = useState<Settings>({ title: '', seed: '', timerScale: '1', review: true });
  const [preset, setPreset] = useState<string | null>(null);
  const [optional, setOptional] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const scenario = scenarios.find((s) => s.id === scenarioId);
  const optionalSeats = scenario?.seats.filter((s) => s.optional) ?? [];

  const create = async () => {
    if (!scenario) return;
    setBusy(true);
    setError(null);
    try {
      const created = await createSession(createRequest(scenario, settings, preset, optional));
      rememberHostedSession(created, settings.title.trim() || scenario.title, Date.now());
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

      {scenario && <GuideLinks scenarioId={scenario.id} />}
      {scenario && <PresetPicker scenario={scenario} preset={preset} onPreset={setPreset} timerScale={Number(settings.timerScale)} />}

      <SessionSettings settings={settings} onChange={(patch) => setSettings((s) => ({ ...s, ...patch }))} clockLocked={preset !== null} />
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

/** The scenario's teaching documents, for before class. */
function GuideLinks({ scenarioId }: { scenarioId: string }) {
  return (
    <p className="small" data-testid="guide-links">
      Before class: the <Link href={paths.guide(scenarioId)}>facilitator guide</Link> and the{' '}
      <Link href={paths.handouts(scenarioId)}>student handouts</Link>, to read or print.
    </p>
  );
}

/** Title, clock, seed and review. A chosen preset sets the clock, so the clock list is locked while one is. */
function SessionSettings({ settings, onChange, clockLocked }: { settings: Settings; onChange: (patch: Partial<Settings>) => void; clockLocked: boolean }) {
  return (
    <>
      <div className="form-grid">
        <label className="stack">
          Session title <span className="muted small">(optional)</span>
          <input value={settings.title} onChange={(e) => onChange({ title: e.target.value })} maxLength={120} placeholder="e.g. Period 3, Security Studies" data-testid="session-title" />
        </label>
        <label className="stack">
          Clock
          <select value={settings.timerScale} onChange={(e) => onChange({ timerScale: e.target.value })} disabled={clockLocked} data-testid="timer-scale">
            {TIMER_SCALES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="stack">
          Random seed <span className="muted small">(optional: the same seed replays the same draws)</span>
          <input value={settings.seed} onChange={(e) => onChange({ seed: e.target.value })} maxLength={128} placeholder="left empty: chosen by the server" data-testid="seed" />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={settings.review} onChange={(e) => onChange({ review: e.target.checked })} data-testid="review" /> The white cell reviews each
        adjudication before it applies
      </label>
    </>
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
