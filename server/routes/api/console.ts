/** The console's settings API: watch lists and KOL thresholds (read: console viewers; write: admins). */
import { Router } from 'express';
import { authorize, requirePerson } from '../../policies';
import { consoleSettings, consoleSettingsInput, updateConsoleSettings } from '../../services/consoleSettings';
import { parse } from '../schemas';

export function consoleApi(): Router {
  const r = Router();
  r.get('/console/settings', async (req, res) => {
    authorize(req.actor, 'console.view', null);
    res.json({ settings: await consoleSettings() });
  });
  r.put('/console/settings', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(consoleSettingsInput, req.body);
    res.json({ settings: await updateConsoleSettings(req.actor, input) });
  });
  return r;
}
