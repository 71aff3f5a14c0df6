/** The alert desk's outbound webhooks (admins: `alerts.configure`): configure, inspect the delivery log, send a test. */
import { Router } from 'express';
import { z } from 'zod';
import { authorize, type Actor } from '../../policies';
import type { HttpDeps } from '../deps';
import { id, limit, parse } from '../schemas';
import { allowsPrivateNetworks, createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, updateWebhook, webhookCreateInput, webhookUpdateInput } from '../../services/webhooks';
import { deliverySettings, sendTestDelivery } from '../../services/webhookDelivery';
import { presentDelivery, presentWebhook } from '../../presenters/webhook';

const deliveriesQuery = z.object({ limit: limit(50, 200) });

/** The actor, once allowed to configure alerting (401 anonymous, 403 otherwise). */
function configurer(actor: Actor | null): Actor {
  authorize(actor, 'alerts.configure', null);
  return actor!;
}

export function webhooksApi(deps: HttpDeps): Router {
  const r = Router();
  const allowPrivate = allowsPrivateNetworks(deps.config);
  r.get('/webhooks', async (req, res) => {
    configurer(req.actor);
    res.json({ items: (await listWebhooks()).map(presentWebhook) });
  });
  r.post('/webhooks', async (req, res) => {
    const actor = configurer(req.actor);
    const hook = await createWebhook(actor, parse(webhookCreateInput, req.body), { allowPrivate });
    res.status(201).json({ webhook: presentWebhook(hook) });
  });
  r.patch('/webhooks/:id', async (req, res) => {
    const actor = configurer(req.actor);
    const hook = await updateWebhook(actor, parse(id, req.params.id, 'id'), parse(webhookUpdateInput, req.body), { allowPrivate });
    res.json({ webhook: presentWebhook(hook) });
  });
  r.delete('/webhooks/:id', async (req, res) => {
    const actor = configurer(req.actor);
    await deleteWebhook(actor, parse(id, req.params.id, 'id'));
    res.status(204).end();
  });
  r.get('/webhooks/:id/deliveries', async (req, res) => {
    configurer(req.actor);
    const q = parse(deliveriesQuery, req.query);
    res.json({ items: (await listDeliveries(parse(id, req.params.id, 'id'), q.limit)).map(presentDelivery) });
  });
  // Sends now, once, from this process (no retries): the admin sees the receiver's answer at once.
  r.post('/webhooks/:id/test', async (req, res) => {
    configurer(req.actor);
    const hook = await getWebhook(parse(id, req.params.id, 'id'));
    res.json({ delivery: presentDelivery(await sendTestDelivery(hook, deliverySettings(deps.config), deps.config.PUBLIC_URL)) });
  });
  return r;
}
