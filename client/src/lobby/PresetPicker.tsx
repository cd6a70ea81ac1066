import '../debrief/teach.css';
import type { ScenarioSummary } from '../net/api.ts';
import { EstimateLine, formatMinutes, scaleEstimate } from './SessionEstimate.tsx';

interface Props {
  scenario: ScenarioSummary;
  /** The chosen preset, or null for the custom clock below. */
  preset: string | null;
  onPreset: (preset: string | null) => void;
  timerScale: number;
}

/** Home: a class length to start from, and the estimated length of the session as chosen. */
export function PresetPicker({ scenario, preset, onPreset, timerScale }: Props) {
  const chosen = scenario.presets.find((p) => p.id === preset);
  const estimate = chosen ? chosen.estimate : scaleEstimate(scenario.standard, timerScale);
  return (
    <fieldset data-testid="presets">
      <legend>Class length</legend>
      {scenario.presets.length > 0 && (
        <div className="presets">
          {scenario.presets.map((p) => (
            <label key={p.id} className={`preset${p.id === preset ? ' preset--checked' : ''}`}>
              <input type="radio" name="preset" value={p.id} checked={p.id === preset} onChange={() => onPreset(p.id)} data-testid={`preset-${p.id}`} />
              <span>
                <span className="preset__title">
                  {p.title} <span className="muted small">· about {formatMinutes(p.estimate.totalSeconds)}</span>
                </span>
                <span className="preset__desc small">{p.description}</span>
              </span>
            </label>
          ))}
          <label className={`preset${preset === null ? ' preset--checked' : ''}`}>
            <input type="radio" name="preset" value="" checked={preset === null} onChange={() => onPreset(null)} data-testid="preset-custom" />
            <span>
              <span className="preset__title">Custom clock</span>
              <span className="preset__desc small">The scenario’s own timers, scaled by the clock below.</span>
            </span>
          </label>
        </div>
      )}
      <EstimateLine estimate={estimate} />
    </fieldset>
  );
}
