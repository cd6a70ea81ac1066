import { useEffect, useState } from 'react';
import { serverNow } from '../net/clock.ts';

/** The server's time, refreshed every `everyMs` while `active`. */
export function useNow(everyMs = 250, active = true): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    if (!active) return;
    setNow(serverNow());
    const id = setInterval(() => setNow(serverNow()), everyMs);
    return () => clearInterval(id);
  }, [everyMs, active]);
  return now;
}
