import { isIP } from 'node:net';

// Who may reach the console: the Host header allow-list (against DNS rebinding), the Origin
// check of WebSocket upgrades, the client's address (behind a proxy) and the loud notice when
// the console listens beyond loopback.

/** Whether `hostname` (the bind address) is a loopback interface only. */
function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host name of a Host header value (`name:port`, `[v6]:port`), lower case; null if malformed. */
function hostName(header: string | undefined): string | null {
  if (header === undefined || header.length === 0 || header.length > 300) return null;
  try {
    return new URL(`http://${header}/`).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * The Host header allow-list. A DNS-rebinding page reaches the console under the attacker's
 * name, so names are allowed only when known: localhost, the bind address, and the configured
 * public hosts (the name the reverse proxy serves). An IP literal is always allowed: rebinding
 * needs a name. (The port is not checked: a proxy may serve another one.)
 */
export class HostAllowList {
  readonly #names: Set<string>;

  constructor(bindAddress: string, publicHosts: readonly string[] = []) {
    this.#names = new Set(['localhost']);
    const bind = hostName(bindAddress);
    if (bind !== null) this.#names.add(bind);
    for (const h of publicHosts) {
      const name = hostName(h.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
      if (name !== null) this.#names.add(name);
    }
  }

  allows(hostHeader: string | undefined): boolean {
    const name = hostName(hostHeader);
    if (name === null) return false;
    return isIP(name) !== 0 || this.#names.has(name) || name.endsWith('.localhost');
  }

  /**
   * A WebSocket upgrade's Origin: absent (not a browser), or a page served under an allowed
   * host name that is the request's own host or a configured public host (a proxy may rewrite
   * the Host header to its upstream's).
   */
  allowsOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.host === hostHeader) return this.allows(hostHeader);
    const name = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    return isIP(name) === 0 && this.#names.has(name) && name !== 'localhost';
  }
}

/**
 * The client's address: the socket's peer, or with `trustProxy` the last address the proxy
 * appended to X-Forwarded-For (earlier entries are the client's own word).
 */
export function clientAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const last = header.split(',').pop()?.trim();
    if (last !== undefined && last.length > 0 && last.length <= 64) return last;
  }
  return remote ?? 'unknown';
}

/** The notice printed when the console listens beyond loopback (empty on loopback). */
export function exposureNotice(bindAddress: string, joinCodes: boolean): string[] {
  if (isLoopback(bindAddress)) return [];
  return [
    `WARNING: the web console listens on ${bindAddress}: it is reachable from the network.`,
    joinCodes
      ? '  Join codes are ON: a channel is joined only through its invite link (gamegirl invite <channel>).'
      : '  Join codes are OFF: anyone who reaches this address can join any channel (--join-codes to require them).',
  ];
}
