/** `GET /api/health`: is the agent up, in which mode, which version (behind the token). */
import type { RequestHandler } from 'express';
import { PROTOCOL_VERSION } from '@netns-lab/model';
import type { Engine } from '../engine/types';
import { AGENT_VERSION } from './version';

export interface HealthReport {
  ok: true;
  mode: Engine['info']['mode'];
  rootless: boolean;
  version: string;
  protocol: number;
}

export function healthRoute(engine: Engine): RequestHandler {
  return (_req, res) => {
    const report: HealthReport = {
      ok: true,
      mode: engine.info.mode,
      rootless: engine.info.rootless,
      version: AGENT_VERSION,
      protocol: PROTOCOL_VERSION,
    };
    res.set('Cache-Control', 'no-store').json(report);
  };
}
