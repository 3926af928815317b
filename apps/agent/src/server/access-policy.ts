/**
 * Who may talk to the agent: the Host and Origin allowlists and the token, shared by the HTTP
 * middleware and the WebSocket upgrade check so that both apply exactly the same rules.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { readBearer, readCookie, tokenCookieName, tokenMatches } from './token';

export interface AccessPolicy {
  readonly port: number;
  readonly token: string;
  readonly cookieName: string;
  /** Exact `Host` header values, e.g. `127.0.0.1:7878`. */
  readonly hosts: ReadonlySet<string>;
  /** Exact `Origin` header values, e.g. `http://127.0.0.1:7878`. */
  readonly origins: ReadonlySet<string>;
}

/** The loopback names a browser may use for the agent; `localhost6` and the like are refused. */
export const LOOPBACK_HOSTNAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * @param extraHostnames hostnames (IPv6 in brackets) also allowed; only used when the agent was
 *   explicitly told to listen beyond loopback.
 */
export function createAccessPolicy(
  port: number,
  token: string,
  extraHostnames: readonly string[] = [],
): AccessPolicy {
  const hosts = [...LOOPBACK_HOSTNAMES, ...extraHostnames].map((name) => `${name}:${port}`);
  return {
    port,
    token,
    cookieName: tokenCookieName(port),
    hosts: new Set(hosts),
    origins: new Set(hosts.map((host) => `http://${host}`)),
  };
}

/**
 * The Host header must name this agent exactly. A page on evil.com that re-points its DNS name
 * at 127.0.0.1 (DNS rebinding) still sends `Host: evil.com:PORT`, and is refused here.
 */
export function hostAllowed(policy: AccessPolicy, host: string | undefined): boolean {
  return host !== undefined && policy.hosts.has(host);
}

/** Exact match only: no IP-address wildcard, no `null`, no prefix or suffix matching. */
export function originAllowed(policy: AccessPolicy, origin: string | undefined): boolean {
  return origin !== undefined && policy.origins.has(origin);
}

/** True when the request carries the token, in the cookie or as a bearer token. */
export function hasValidToken(policy: AccessPolicy, headers: IncomingHttpHeaders): boolean {
  const fromCookie = readCookie(headers.cookie, policy.cookieName);
  const fromBearer = readBearer(headers.authorization);
  // Both comparisons always run, so timing does not tell which one was present.
  const cookieOk = tokenMatches(policy.token, fromCookie);
  const bearerOk = tokenMatches(policy.token, fromBearer);
  return cookieOk || bearerOk;
}
