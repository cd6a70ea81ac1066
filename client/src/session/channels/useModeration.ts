import { useCallback, useState } from 'react';
import type { WireMessage } from '@rubicon/shared';
import type { Session } from '../../net/useSession.ts';
import type { HideFrom } from './ModerationControls.tsx';

/** The white cell hiding a message (a logged command), and the sentence that says what became of it. */
export function useModeration(session: Session) {
  const [result, setResult] = useState<string | null>(null);
  const moderate = useCallback(
    async (m: WireMessage, from: HideFrom) => {
      const r = await session.send({ type: 'HIDE_MESSAGE', message: m.id, from });
      setResult(
        r.ok
          ? from === 'none'
            ? 'The message is shown again.'
            : `Hidden from ${from === 'display' ? 'the shared display' : 'everyone but the white cell'}.`
          : `Not accepted: ${r.error.message}`,
      );
    },
    [session],
  );
  return { moderate, result };
}
