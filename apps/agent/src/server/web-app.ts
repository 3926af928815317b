/**
 * The built web app (apps/web/dist): static files, and index.html for `/` and for any other
 * page path the single-page app may route to.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>netns-lab</title><h1>netns-lab</h1>' +
  '<p>The web app is not built yet. Run <code>npm run build</code> (or <code>npm start</code>) ' +
  'in the netns-lab folder, then reload this page.</p>\n';

export function webApp(webRoot: string): Router {
  const root = path.resolve(webRoot);
  const index = path.join(root, 'index.html');
  const router = express.Router();
  router.use(express.static(root, { index: 'index.html', dotfiles: 'ignore', redirect: false }));
  router.use((req, res, next) => {
    const isPage =
      (req.method === 'GET' || req.method === 'HEAD') &&
      !req.path.startsWith('/api/') &&
      path.extname(req.path) === '';
    if (!isPage) {
      next();
      return;
    }
    if (!existsSync(index)) {
      res.status(503).set('Cache-Control', 'no-store').type('html').send(NOT_BUILT);
      return;
    }
    res.sendFile(index, { dotfiles: 'deny' });
  });
  return router;
}
