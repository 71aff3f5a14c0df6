/** Staff pages: the opinion console (pr, admin) and the alert desk (moderator, admin). Filled in by later issues. */
import { Router } from 'express';
import { authorize } from '../../policies';
import { t } from '../../i18n';
import { renderPage } from './context';
import type { Render } from '../../views';

export function staffPages(render: Render): Router {
  const r = Router();
  r.get('/console', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    await renderPage(req, res, render, 'console', { title: t(req.locale, 'nav.console') });
  });
  r.get('/desk', async (req, res) => {
    authorize(req.actor, 'desk.view', null);
    await renderPage(req, res, render, 'desk', { title: t(req.locale, 'nav.desk') });
  });
  return r;
}
