/** Accounts API: register, login, logout, me, roles, API keys. */
import { Router } from 'express';
import { z } from 'zod';
import * as accounts from '../../services/accounts';
import { authorize, requirePerson } from '../../policies';
import { presentSelf, presentUser } from '../../presenters';
import { User } from '../../models';
import { SESSION_COOKIE } from '../../middleware/cookies';
import { parse, username, password, displayName, role, text, loginName, loginPassword, timeZone, id } from '../schemas';
import { setAvatar } from '../../services/uploads';
import type { HttpDeps } from '../deps';
import { deleteAccount, exportOwnData } from '../../services/privacy';
import { privacyOf, updateMemberProfile } from '../../services/profiles';
import { presentOwnProfile } from '../../presenters/profile';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const registerInput = z.object({ username, password, displayName: displayName.optional() });
const loginInput = z.object({ username: loginName, password: loginPassword });
const passwordInput = z.object({ currentPassword: loginPassword, newPassword: password }).strict();
const deleteAccountInput = z.object({ password: loginPassword }).strict();
const roleInput = z.object({ role, reason: text(1, 500).optional() });
const apiKeyInput = z.object({ name: text(1, 100), scopes: z.array(z.enum(['ingest'])).min(1).max(5) });

export function accountsApi({ limits, cookieOptions, config, uploads }: HttpDeps): Router {
  const r = Router();
  const mePatch = z
    .object({
      displayName: displayName.optional(),
      analyticsConsent: z.boolean().optional(),
      locale: z.enum(['zh-CN', 'en']).optional(),
      timeZone: z.union([timeZone, z.null()]).optional(),
      avatarUploadId: z.union([id, z.null()]).optional(),
      bio: z.union([text(0, config.PROFILE_BIO_MAX_CHARS), z.null()]).optional(),
      privacy: z.object({ hideLikes: z.boolean().optional(), hideChapters: z.boolean().optional(), hideLastSeen: z.boolean().optional() }).strict().optional(),
    })
    .strict();

  r.post('/auth/register', limits.registrations, async (req, res) => {
    const input = parse(registerInput, req.body);
    const { user, token } = await accounts.register(input);
    res.cookie(SESSION_COOKIE, token, cookieOptions);
    res.status(201).json({ user: presentUser(user), token });
  });

  r.post('/auth/login', async (req, res) => {
    const input = parse(loginInput, req.body);
    const { user, token } = await limits.login.attempt(req.ip ?? '', input.username, () => accounts.login(input));
    res.cookie(SESSION_COOKIE, token, cookieOptions);
    res.json({ user: presentUser(user), token });
  });

  r.post('/auth/logout', async (req, res) => {
    const token = req.authVia === 'bearer' ? req.headers.authorization!.slice(7).trim() : req.cookies[SESSION_COOKIE];
    if (token) await accounts.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  r.get('/me', async (req, res) => {
    requirePerson(req.actor);
    const [user, own] = await Promise.all([User.findByPk(req.actor.id), privacyOf(req.actor.id)]);
    res.json({ user: { ...presentSelf(user!), ...presentOwnProfile(own) } });
  });

  r.patch('/me', async (req, res) => {
    requirePerson(req.actor);
    const { bio, privacy, avatarUploadId, ...patch } = parse(mePatch, req.body);
    // CONTRACT: avatarUploadId names one of the member's uploads (cropped square), null drops it.
    if (avatarUploadId !== undefined) await setAvatar(req.actor, avatarUploadId === null ? null : Number(avatarUploadId), uploads);
    const user = await accounts.updateProfile(req.actor.id, patch);
    const own = bio !== undefined || privacy ? await updateMemberProfile(req.actor.id, { bio, ...privacy }) : await privacyOf(req.actor.id);
    res.json({ user: { ...presentSelf(user), ...presentOwnProfile(own) } });
  });

  // Changing the password ends every other session (and its sockets); this one stays signed in.
  r.post('/me/password', limits.passwordCheck, async (req, res) => {
    requirePerson(req.actor);
    await accounts.changePassword(req.actor, parse(passwordInput, req.body));
    res.status(204).end();
  });

  // The member's own data, as one JSON download (PIPL / GDPR access right).
  r.get('/me/export', async (req, res) => {
    requirePerson(req.actor);
    res.setHeader('Content-Disposition', `attachment; filename="resonance-${req.actor.username}.json"`);
    res.json(await exportOwnData(req.actor));
  });

  // Delete the account: posts stay anonymised, the listening index forgets them, sessions end.
  r.delete('/me', limits.passwordCheck, async (req, res) => {
    requirePerson(req.actor);
    const input = parse(deleteAccountInput, req.body ?? {});
    await deleteAccount(req.actor, input.password);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  r.put('/users/:username/role', async (req, res) => {
    authorize(req.actor, 'user.setRole', null);
    const input = parse(roleInput, req.body);
    const name = parse(username, req.params.username, 'username');
    const user = await accounts.setRole(req.actor!, name, input.role, input.reason ?? null);
    res.json({ user: presentUser(user) });
  });

  r.post('/api-keys', async (req, res) => {
    authorize(req.actor, 'apiKey.create', null);
    const input = parse(apiKeyInput, req.body);
    const created = await accounts.createApiKey(req.actor!, input.name, [...new Set(input.scopes)]);
    // `key` is the secret itself (CONTRACT: shown once); the rest describes it.
    res.status(201).json({ key: created.key, apiKey: { id: created.id, name: created.name, scopes: created.scopes, createdAt: created.createdAt } });
  });

  return r;
}
