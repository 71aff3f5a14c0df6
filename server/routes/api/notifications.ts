/** Notifications API. */
import { Router } from 'express';
import { z } from 'zod';
import * as notifications from '../../services/notifications';
import { presentNotifications } from '../present';
import { requirePerson } from '../../policies';
import { parse, id, limit } from '../schemas';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const notificationsQuery = z.object({ limit: limit(50, 200) });
const markReadInput = z.object({ ids: z.array(id).max(500).optional() });

export function notificationsApi(): Router {
  const r = Router();

  r.get('/notifications', async (req, res) => {
    requirePerson(req.actor);
    const q = parse(notificationsQuery, req.query);
    const notes = await notifications.listNotifications(req.actor.id, q.limit);
    res.json({ unread: await notifications.unreadCount(req.actor.id), items: await presentNotifications(notes) });
  });

  r.post('/notifications/read', async (req, res) => {
    requirePerson(req.actor);
    const input = parse(markReadInput, req.body ?? {});
    await notifications.markRead(req.actor.id, input.ids);
    res.json({ unread: await notifications.unreadCount(req.actor.id) });
  });

  return r;
}
