import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { ServiceError } from '../session/service-error.ts';

/** The names a request's Host may carry besides IP literals and localhost: `all`, or names (`.example.org`: it and its subdomains). */
export type HostPolicy = 'all' | readonly string[];

/** What the configuration says of the server's own names: ALLOWED_HOSTS, and the names PUBLIC_URL, HOST and ALLOWED_ORIGINS give. */
export interface HostSettings {
  /** ALLOWED_HOSTS: `all` (`*` or `all`), or the names listed (none when unset). */
  allowedHosts: HostPolicy;
  publicUrl: string | undefined;
  /** The address the server binds (HOST): a name there is one it is reached by. */
  bindHost: string;
  allowedOrigins: readonly string[] | null;
  /**
   * The machine's own name (os.hostname()): it, its first label and `<first label>.local` pass, so phones
   * can open `http://<laptop>.local:3000` on a LAN with nothing set. A rebinding page cannot carry these:
   * `.local` is resolved by multicast DNS on the local link and a bare name through the local network's
   * own resolver, neither of which a remote attacker's DNS answers.
   */
  machineName: string;
}

/** A name as compared: lower case, without the trailing dot of a fully qualified name. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function hostnameOfUrl(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** The names the operator has said this server answers to; `all` when ALLOWED_HOSTS turns the check off. */
export function hostPolicy(settings: HostSettings): HostPolicy {
  if (settings.allowedHosts === 'all') return 'all';
  const named = [settings.publicUrl, ...(settings.allowedOrigins ?? [])].map((u) => (u === undefined ? null : hostnameOfUrl(u)));
  const own = machineNames(settings.machineName);
  return [...settings.allowedHosts, ...named.filter((n): n is string => n !== null), settings.bindHost, ...own].map(canonical);
}

/** The names the machine answers to on its LAN without DNS: its hostname, that name's first label, and `<label>.local` (mDNS). */
function machineNames(hostname: string): string[] {
  const name = canonical(hostname.trim());
  // An IP literal or a name no Host header could carry (an empty or odd hostname) adds nothing.
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(name) || isIP(name) !== 0) return [];
  const label = name.split('.')[0]!;
  return [name, label, `${label}.local`];
}

/** What the configuration says of the METRICS_PORT listener's names: METRICS_HOSTS, the address it binds, the machine's name. */
export interface MetricsHostSettings {
  /** METRICS_HOSTS: `all`, or the names listed (none when unset). */
  metricsHosts: HostPolicy;
  /** METRICS_HOST, the address the listener binds: a name there is one it is reached by. */
  bindHost: string;
  machineName: string;
}

/**
 * The names the METRICS_PORT listener answers to: its own only. Not the public port's: ALLOWED_ORIGINS
 * names partners' sites, whose DNS owners could rebind their names to this listener, and PUBLIC_URL's and
 * ALLOWED_HOSTS' names lead to the public port (a proxy), never to this private one.
 */
export function metricsHostPolicy(settings: MetricsHostSettings): HostPolicy {
  if (settings.metricsHosts === 'all') return 'all';
  return [...settings.metricsHosts, settings.bindHost, ...machineNames(settings.machineName)].map(canonical);
}

/**
 * The start-up warning for ALLOWED_HOSTS names the METRICS_PORT listener does not answer to, or null. Until
 * 6 December (36e5ff1) ALLOWED_HOSTS' names opened that listener too; a scraper that names it by one of them
 * is now refused 403, which says why, but only once it scrapes. Not for ALLOWED_HOSTS=all: behind a proxy,
 * with a scraper on an IP address (the usual case), there would be nothing to move and no way to quiet it.
 */
export function metricsHostsWarning(allowedHosts: HostPolicy, metrics: MetricsHostSettings): string | null {
  if (allowedHosts === 'all') return null;
  const policy = metricsHostPolicy(metrics);
  const missing = allowedHosts.map(canonical).filter((name) => !hostAllowed(policy, name));
  if (missing.length === 0) return null;
  const names = missing.map((n) => `"${n}"`).join(', ');
  return (
    `ALLOWED_HOSTS names ${names}, which the METRICS_PORT listener does not answer to: it takes its own names only, ` +
    `not the public port's, and refuses a request naming another with 403 host_not_allowed. If a scraper reaches it by one ` +
    `of them, list it in METRICS_HOSTS too (METRICS_HOSTS=${missing.join(',')}).`
  );
}

/** The name in a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), or null for anything else. */
function hostnameOf(header: string): string | null {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(header);
  if (v6) return v6[1]!;
  const named = /^([^:[\]\s/]+)(?::\d{1,5})?$/.exec(header);
  return named ? canonical(named[1]!) : null;
}

/**
 * Whether a request's Host names this server (dev servers' `allowedHosts`).
 *
 * The Origin check lets in a page whose origin is the Host the request came
 * to, and a DNS-rebinding page arranges exactly that: evil.example, resolving
 * first to the attacker and then to this server, sends Origin and Host both
 * evil.example. A browser always sends the name it resolved, so checking the
 * name stops it: an IP literal (a classroom's LAN address), localhost and
 * *.localhost (which never leave the machine), and the names the operator
 * gave pass. No Host at all is not a browser (HTTP/1.0 scripts) and passes.
 */
export function hostAllowed(policy: HostPolicy, header: string | undefined): boolean {
  if (policy === 'all' || header === undefined) return true;
  const name = hostnameOf(header);
  if (name === null) return false;
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return policy.some((allowed) => (allowed.startsWith('.') ? name === allowed.slice(1) || name.endsWith(allowed) : name === allowed));
}

/** Requests answered in JSON when refused; the rest (pages, assets) get plain text a person reads in the browser. */
const API_PATH = /^\/(api|healthz|metrics)(\/|$)/;

/** The setting that lists a listener's further names: the public port's, or the METRICS_PORT listener's. */
export type HostSetting = 'ALLOWED_HOSTS' | 'METRICS_HOSTS';

/** The refusal, naming the setting to give (as Vite's does) with the name in it, cut short. */
function refusal(header: string, setting: HostSetting): string {
  const name = hostnameOf(header);
  if (name === null) return `This server does not answer to the name "${header.slice(0, 100)}", which is not a host name.`;
  const shown = name.slice(0, 100);
  const also = setting === 'ALLOWED_HOSTS' ? ', or set PUBLIC_URL to the address people use' : '';
  return `This server does not answer to the name "${shown}". If it should, its operator can start it with ${setting}=${shown} (names separated by commas)${also}.`;
}

/**
 * The Host check of every listener (the public port's routes and handshakes, the metrics port): null when
 * the request's Host is one of this server's names, else the refusal to send. The first refusals of each
 * name are logged (a few dozen names at most), so an operator who reached the server by a name not yet
 * listed sees why.
 */
export function hostGuard(policy: HostPolicy, logger: Logger, setting: HostSetting = 'ALLOWED_HOSTS'): (host: string | undefined, path: string) => string | null {
  const logged = new Set<string>();
  return (host, path) => {
    if (hostAllowed(policy, host)) return null;
    const message = refusal(host ?? '', setting);
    if (logged.size < 32 && !logged.has(message)) {
      logged.add(message);
      logger.warn({ host: (host ?? '').slice(0, 100), path: path.slice(0, 100) }, `refused a request for a host name this server does not answer to (${setting})`);
    }
    return message;
  };
}

/** Refuses, before any route, a request whose Host is not one of this server's names: 403 `host_not_allowed` on the API, a plain 403 on pages. */
export function refuseForeignHosts(policy: HostPolicy, logger: Logger): RequestHandler {
  const guard = hostGuard(policy, logger);
  return (req, res, next) => {
    const message = guard(req.headers.host, req.path);
    if (message === null) return next();
    if (API_PATH.test(req.path)) return next(new ServiceError('host_not_allowed', message));
    res.status(403).type('text/plain').send(message);
  };
}

/** The same check for a raw request (a socket's handshake), which Express never sees. */
export function handshakeHostAllowed(policy: HostPolicy): (req: IncomingMessage) => boolean {
  return (req) => hostAllowed(policy, req.headers.host);
}
