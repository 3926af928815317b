/**
 * Last-resort error responses: a status and a short sentence, never a stack trace (express's
 * default handler prints one unless NODE_ENV=production).
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';

export function notFound(): RequestHandler {
  return (_req, res) => {
    res.status(404).type('text/plain').send('netns-lab: not found\n');
  };
}

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status =
      typeof error === 'object' && error !== null && 'status' in error
        ? Number((error as { status: unknown }).status)
        : 500;
    const code = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
    if (code >= 500) log(`netns-lab: HTTP request failed: ${String(error)}`);
    res
      .status(code)
      .type('text/plain')
      .send(`netns-lab: ${STATUS_CODES[code] ?? 'error'}\n`);
  };
}
