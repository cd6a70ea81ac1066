import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Whether the hop at `address`, `hop` steps from this server, may tell us who connected to it. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY as one function, used by Express (`req.ip`) and by the socket
 * server alike, so a limit per address means the same address on both.
 *
 * - `false`: X-Forwarded-For is ignored; the address is the TCP peer's.
 * - addresses or subnets ("loopback", "uniquelocal", "10.0.0.0/8"): the
 *   header is believed only when the peer is one of them, so a client that
 *   reaches this port directly cannot choose its own address.
 * - a hop count or `true`: the header is believed from anyone. Behind the
 *   proxy that is right; but a client that bypasses the proxy gets whatever
 *   address it writes in the header, i.e. a fresh limit per request.
 */
export function compileTrustProxy(setting: boolean | number | string): TrustProxy {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(
    setting
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

/** True when a hop count or `true` makes the forwarded address a client's own choice unless the proxy is the only way in. */
export function trustsAnyone(setting: boolean | number | string): boolean {
  return setting === true || (typeof setting === 'number' && setting > 0);
}

/** The client's address for a raw request (a socket's handshake), by the same rule as Express's `req.ip`. */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  return proxyaddr(req, trust);
}
