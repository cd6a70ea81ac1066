import { useEffect, useState } from 'react';
import type { TeachingDocument } from '@rubicon/shared';
import { ApiError, teachingDocument } from '../net/api.ts';

export type DocumentState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; doc: TeachingDocument };

/** Loads a scenario's guide data once per scenario id. */
export function useTeachingDocument(scenarioId: string): DocumentState {
  const [state, setState] = useState<DocumentState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    teachingDocument(scenarioId).then(
      (doc) => live && setState({ status: 'ready', doc }),
      (err: unknown) => live && setState({ status: 'error', message: err instanceof ApiError ? err.message : 'Could not load the guide.' }),
    );
    return () => {
      live = false;
    };
  }, [scenarioId]);
  return state;
}
