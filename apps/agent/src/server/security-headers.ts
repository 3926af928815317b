/**
 * Response headers that keep the web app from being framed, sniffed, or talking to anything but
 * this agent. No `Access-Control-Allow-Origin` is ever sent: no other origin may read responses.
 */
import type { RequestHandler } from 'express';
import type { AccessPolicy } from './access-policy';

export function contentSecurityPolicy(policy: AccessPolicy): string {
  // 'self' already covers ws: to the page's own host in CSP 3 browsers; the explicit ws:// sources
  // are for older ones. Bracketed IPv6 hosts are not valid CSP sources, so [::1] relies on 'self'.
  const sockets = [...policy.hosts].filter((host) => !host.startsWith('[')).map((h) => `ws://${h}`);
  return [
    "default-src 'self'",
    `connect-src 'self' ${sockets.join(' ')}`,
    "script-src 'self'",
    // React Flow and the app set inline style attributes and may inject <style> elements.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(policy: AccessPolicy): RequestHandler {
  const csp = contentSecurityPolicy(policy);
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  };
}
