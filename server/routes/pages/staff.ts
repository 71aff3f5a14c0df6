/** Staff pages: the alert desk (moderator, admin); the console has its own module (console.ts). */
import { Router } from 'express';
import { authorize } from '../../policies';
import { t } from '../../i18n';
import { renderPage } from './context';
import type { Render } from '../../views';

export function staffPages(render: Render): Router {
  const r = Router();
  r.get('/desk', async (req, res) => {
    authorize(req.actor, 'desk.view', null);
    await renderPage(req, res, render, 'desk', { title: t(req.locale, 'nav.desk') });
  });
  return r;
}
