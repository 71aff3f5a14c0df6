/** The console's settings API: watch lists and KOL thresholds (read: console viewers; write: admins). */
import { Router } from 'express';
import { authorize, requirePerson } from '../../policies';
import { consoleSettings, consoleSettingsInput, updateConsoleSettings } from '../../services/consoleSettings';
import { limit, parse, shortLabel, username } from '../schemas';
import { memberInsight, tagMember, untagMember } from '../../services/insight';
import { leaderboard, recomputeKols } from '../../services/kol';
import { z } from 'zod';

const kolsQuery = z.object({ limit: limit(20, 200) });
const memberTag = shortLabel;
const tagInput = z.object({ tag: memberTag }).strict();

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
    res.json({ items: await leaderboard(q.limit, req.locale ?? 'zh-CN') });
  });
  // Member insight (staff only; nothing for members who opted out of analytics).
  r.get('/users/:username/insight', async (req, res) => {
    requirePerson(req.actor);
    res.json({ insight: await memberInsight(req.actor, parse(username, req.params.username, 'username'), req.locale ?? 'zh-CN') });
  });
  r.post('/users/:username/tags', async (req, res) => {
    requirePerson(req.actor);
    await tagMember(req.actor, parse(username, req.params.username, 'username'), parse(tagInput, req.body).tag);
    res.status(201).json({ ok: true });
  });
  r.delete('/users/:username/tags/:tag', async (req, res) => {
    requirePerson(req.actor);
    await untagMember(req.actor, parse(username, req.params.username, 'username'), parse(memberTag, req.params.tag, 'tag'));
    res.status(204).end();
  });
  return r;
}
