/** Refuses any request whose Host header is not exactly this agent (stops DNS rebinding). */
import type { RequestHandler } from 'express';
import { hostAllowed, type AccessPolicy } from './access-policy';

export function hostCheck(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    if (hostAllowed(policy, req.headers.host)) {
      next();
      return;
    }
    res
      .status(403)
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send(
        `netns-lab: this address is not allowed. Open http://127.0.0.1:${policy.port}/ ` +
          'through the URL the agent printed.\n',
      );
  };
}
