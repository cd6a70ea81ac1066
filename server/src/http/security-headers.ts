import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** A Host header fit to name in a policy; anything else (a forged header with `;` in it) is left out. */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The WebSocket form of the page's own origin. CSP Level 3 lets `'self'`
 * match it, but older browsers do not; Socket.IO would still fall back to
 * long polling there, so this only saves them a slower connection.
 */
function sameOriginSockets(req: IncomingMessage): string {
  const host = req.headers.host;
  return host !== undefined && PLAIN_HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

/**
 * The Content-Security-Policy of every response. The built client is Vite
 * output: scripts and styles come from /assets only (no inline script, no
 * inline <style>; React sets `style` props through the CSSOM, which CSP
 * allows), QR codes are data: images, downloads are blob: URLs, and the map
 * is inline SVG. Nothing may frame the app, and nothing loads from another
 * origin.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'", sameOriginSockets],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Headers that also go on Socket.IO's own (polling) responses, which Express never sees. */
export const PLAIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * helmet on every response, with the policy above. Join links carry codes
 * (`/join/ABCD2345`), so no page sends a Referer anywhere. HSTS only when the
 * public address is https: a classroom server on plain http must not tell
 * browsers to insist on https, and `upgrade-insecure-requests` is left out
 * for the same reason.
 */
export function securityHeaders(options: { publicUrl: string | undefined }): RequestHandler {
  const https = options.publicUrl?.startsWith('https://') ?? false;
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  return (req, res, next) => {
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    headers(req, res, next);
  };
}
