import { useEffect, useState } from 'react';
import type { BotOptions } from '@rubicon/shared/bots';
import { botOptions } from '../net/api.ts';

/** What the scenario's seats can be handed to, fetched once per scenario; null while loading or if it failed. */
export function useBotOptions(scenarioId: string | null): { options: BotOptions | null; error: string | null } {
  const [state, setState] = useState<{ id: string | null; options: BotOptions | null; error: string | null }>({ id: null, options: null, error: null });
  useEffect(() => {
    if (scenarioId === null) return;
    let live = true;
    botOptions(scenarioId).then(
      (options) => live && setState({ id: scenarioId, options, error: null }),
      (err: unknown) => live && setState({ id: scenarioId, options: null, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [scenarioId]);
  return state.id === scenarioId ? state : { options: null, error: null };
}
