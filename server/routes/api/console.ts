/** The console's settings API: watch lists and KOL thresholds (read: console viewers; write: admins). */
import { Router } from 'express';
import { authorize, requirePerson } from '../../policies';
import { consoleSettings, consoleSettingsInput, updateConsoleSettings } from '../../services/consoleSettings';
import { limit, parse } from '../schemas';
import { leaderboard, recomputeKols } from '../../services/kol';
import { z } from 'zod';

const kolsQuery = z.object({ limit: limit(20, 200) });

export function consoleApi(): Router {
  const r = Router();
  r.get('/console/settings', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    res.json({ settings: await consoleSettings() });
  });
  r.put('/console/settings', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(consoleSettingsInput, req.body);
    const settings = await updateConsoleSettings(req.actor, input);
    if (input.kol) await recomputeKols(); // new thresholds flag (and unflag) at once
    res.json({ settings });
  });
  // The KOL leaderboard: every score with its parts, reasons and sentiment (CONTRACT: GET /kols).
  r.get('/kols', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    const q = parse(kolsQuery, req.query);
    res.json({ items: leaderboard(q.limit, req.locale ?? 'zh-CN') });
  });
  return r;
}
