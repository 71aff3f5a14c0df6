/**
 * After commit: the alert desk's live queue. Every alert.raised and alert.updated becomes an
 * `alert:raised` / `alert:updated` for every /desk socket, with the case as the queue shows it.
 * Runs in every web process for its own sockets (not durable): a desk that reconnects reloads
 * its queue from the API.
 */
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import type { DeskNamespace } from '../realtime/desk';
import { Alert, Chapter, User } from '../models';
import { presentAlert } from '../presenters';
import { Op } from 'sequelize';

/** Load cases and what presenting them needs, in three queries. */
export async function presentAlerts(alerts: Alert[]) {
  const userIds = [...new Set(alerts.map((a) => a.assigneeId).filter((x): x is number => x !== null))];
  const chapterIds = [...new Set(alerts.map((a) => a.chapterId).filter((x): x is number => x !== null))];
  const [users, chapters] = await Promise.all([
    userIds.length ? User.findAll({ where: { id: { [Op.in]: userIds } } }) : [],
    chapterIds.length ? Chapter.findAll({ where: { id: { [Op.in]: chapterIds } } }) : [],
  ]);
  const related = { users: new Map(users.map((u) => [u.id, u])), chapters: new Map(chapters.map((c) => [c.id, c])) };
  return alerts.map((a) => presentAlert(a, related));
}

/** The desk feed processor for one /desk namespace. */
export function deskProcessor(ns: DeskNamespace): Processor<'alert.raised' | 'alert.updated'> {
  return {
    name: 'desk',
    durable: false,
    handles: ['alert.raised', 'alert.updated'],
    batchSize: 200,
    async handleBatch(events: StoredEvent<'alert.raised' | 'alert.updated'>[]) {
      if (ns.sockets.size === 0) return;
      const ids = [...new Set(events.map((e) => e.alertId))];
      const alerts = await Alert.findAll({ where: { id: { [Op.in]: ids } } });
      const shown = new Map((await presentAlerts(alerts)).map((a) => [a.id, a]));
      const actorIds = events.map((e) => (e.type === 'alert.updated' ? e.actorId : null)).filter((x): x is number => x !== null);
      const actors = new Map((actorIds.length ? await User.findAll({ where: { id: { [Op.in]: [...new Set(actorIds)] } } }) : []).map((u) => [u.id, u.displayName]));
      for (const e of events) {
        // The case as it is now: a raise and its grouping in one batch show the grouped case twice, which is right.
        const alert = shown.get(String(e.alertId));
        if (!alert) continue;
        if (e.type === 'alert.raised') ns.emit('alert:raised', { alert });
        else ns.emit('alert:updated', { alert, change: e.change, ...(e.actorId !== null && actors.has(e.actorId) ? { actor: actors.get(e.actorId)! } : {}) });
      }
    },
  };
}
