import type { IncomingMessage } from 'node:http';

export interface OriginPolicy {
  /** Null: the page's own origin (the Host the request came to) and PUBLIC_URL's. */
  allowedOrigins: readonly string[] | null;
  publicUrl: string | undefined;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a Socket.IO handshake may go on, judged by its Origin header.
 *
 * A browser always sends Origin when a page opens a WebSocket, and a page
 * on another site must not be able to open one in a visitor's browser (a
 * socket needs a token, but nothing should rest on that alone). Clients that
 * are not browsers (the bots, the Python example, scripts) send no Origin and
 * could forge any: they are let through, and their token decides what they
 * may do. "null" (a sandboxed frame, a file) is refused.
 */
export function originAllowed(policy: OriginPolicy): (req: IncomingMessage) => boolean {
  const listed = policy.allowedOrigins?.map((o) => originOf(o)).filter((o): o is string => o !== null) ?? null;
  const publicOrigin = policy.publicUrl ? originOf(policy.publicUrl) : null;
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const parsed = originOf(origin);
    if (parsed === null || parsed === 'null') return false;
    if (listed) return listed.includes(parsed);
    if (parsed === publicOrigin) return true;
    const host = req.headers.host;
    return host !== undefined && new URL(parsed).host === host.toLowerCase();
  };
}
