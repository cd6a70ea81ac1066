import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
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

/** The key a raw request (a socket's handshake) counts against: its client's address by the same rule as Express's `req.ip`, as `addressKey` groups it. */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  return addressKey(proxyaddr(req, trust));
}

/** Leading bits of an IPv6 address that name one customer: an ISP gives a home or a site a /56 or more (what express-rate-limit counts by too). */
const IPV6_CUSTOMER_BITS = 56;

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part becomes two), or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const front = part(head);
  const back = part(tail);
  return tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The key a per-address limit counts against. An IPv4 address is its own key
 * (an IPv4-mapped IPv6 one too, so a dual-stack listener counts it alike).
 * An IPv6 client holds a whole block, at least a /64 and usually a /56, and
 * can send from any address in it: counted per address it would get a fresh
 * budget per request, so the key is its /56.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const groups = ipv6Groups(bare);
  if (!groups) return bare;
  if (groups.slice(0, 6).every((g, i) => g === (i === 5 ? 0xffff : 0))) return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  // The first three groups whole and the top byte of the fourth: a /56.
  const block = [groups[0]!, groups[1]!, groups[2]!, groups[3]! & 0xff00];
  return `${block.map((g) => g.toString(16)).join(':')}::/${IPV6_CUSTOMER_BITS}`;
}
