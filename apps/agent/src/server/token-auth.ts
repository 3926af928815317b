/**
 * Every HTTP request needs the token. The first visit carries it in the URL (`?token=`); the
 * server swaps it for an HttpOnly, SameSite=Strict cookie and sends the browser to the same URL
 * without the token, so it stays neither in the address bar nor in a Referer.
 */
import type { Request, RequestHandler, Response } from 'express';
import { hasValidToken, type AccessPolicy } from './access-policy';
import { tokenMatches } from './token';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function parseRequestUrl(originalUrl: string): URL | null {
  try {
    return new URL(originalUrl, 'http://agent.invalid');
  } catch {
    return null;
  }
}

/** The request's path and query without `token`; always a local path (never `//host`). */
export function cleanLocation(url: URL): string {
  url.searchParams.delete('token');
  // "//evil.example" (or "/\evil.example") would be a protocol-relative open redirect.
  const path = `/${url.pathname.replace(/^\/+/, '')}`;
  return `${path}${url.search}`;
}

function sendUnauthorized(req: Request, res: Response, stale: boolean): void {
  const why = stale
    ? 'This link carries a token from an earlier run of the agent.'
    : 'This page needs the token that the agent printed when it started.';
  const what =
    'Open the URL that `netns-lab` printed in its terminal (it ends in ?token=...). ' +
    'If the agent was restarted, use the new URL.';
  res.status(401).set('Cache-Control', 'no-store').set('WWW-Authenticate', 'Bearer');
  if (req.path.startsWith('/api/')) {
    res.json({ ok: false, error: 'unauthorized', message: `${why} ${what}` });
    return;
  }
  res
    .type('html')
    .send(
      '<!doctype html><meta charset="utf-8"><title>netns-lab: open the printed URL</title>' +
        `<h1>netns-lab</h1><p>${escapeHtml(why)}</p><p>${escapeHtml(what)}</p>\n`,
    );
}

/**
 * A navigation started by another site (or a file:// page) is cross-site, and a browser then
 * withholds SameSite=Strict cookies for the whole redirect chain. A page that refreshes itself
 * to the clean URL makes the second request same-site, so the cookie is sent.
 */
function sendToCleanUrl(req: Request, res: Response, location: string): void {
  res.set('Cache-Control', 'no-store');
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'none' || site === 'same-origin') {
    res.redirect(303, location);
    return;
  }
  res
    .status(200)
    .type('html')
    .send(
      '<!doctype html><meta charset="utf-8">' +
        `<meta http-equiv="refresh" content="0;url=${escapeHtml(location)}">` +
        `<title>netns-lab</title><a href="${escapeHtml(location)}">Open netns-lab</a>\n`,
    );
}

export function tokenAuth(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    const url = parseRequestUrl(req.originalUrl);
    if (url === null) {
      res.status(400).type('text/plain').send('netns-lab: bad request\n');
      return;
    }
    const fromUrl = url.searchParams.getAll('token');
    if (fromUrl.length > 0) {
      if (!fromUrl.every((token) => tokenMatches(policy.token, token))) {
        sendUnauthorized(req, res, true);
        return;
      }
      res.cookie(policy.cookieName, policy.token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
      });
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendToCleanUrl(req, res, cleanLocation(url));
        return;
      }
      next();
      return;
    }
    if (hasValidToken(policy, req.headers)) {
      next();
      return;
    }
    sendUnauthorized(req, res, false);
  };
}
