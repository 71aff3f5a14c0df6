/**
 * The alert desk's cases: signals from the rules become cases (or join an active one with the
 * same case key), and responders work them: open → claimed → responded → resolved | dismissed.
 * Every step is a conditional update on the case's status or version, so two responders can
 * never both claim a case, and every step records its audit entry and domain event in the same
 * transaction (the desk's sockets and the webhooks react after commit).
 */
import { Op, cast, col, where as sqlWhere, type Transaction, type WhereOptions } from 'sequelize';
import { Alert, AlertSignal, Flag, Notification, Post, Thread, User, Mention, Chapter, Analysis } from '../models';
import { withTransaction } from '../db';
import { recordEvents, type AlertChange, type AlertKind, type AlertNotice, type AlertStatus } from '../events';
import { authorize, can, type Actor } from '../policies';
import { Conflict, Forbidden, NotFound, Validation } from '../errors';
import { audit } from './audit';
import { log } from '../log';
import { alertSettings } from './alertSettings';
import { slaMinutesFor, type SignalDraft } from '../../search/alerts/rules';
import { actorFor } from './accounts';
import { createPost, loadPost } from './posts';
import { loadThread } from './threads';
import { labelFromFeedback, recordSentimentLabel } from './sentimentLabels';

export const ACTIVE: readonly AlertStatus[] = ['open', 'claimed', 'responded'];
const MINUTE = 60_000;
const MAX_REASONS = 24;

/** What a signal is about, for the case it opens. */
export interface SignalSubject {
  postId?: number | null;
  mentionId?: number | null;
  threadId?: number | null;
  chapterId?: number | null;
  authorId?: number | null;
  source?: string | null;
  term?: string | null;
  /** One line for the desk and webhooks (zh-CN). */
  title: string;
  /** An excerpt or the figures. */
  summary: string;
}

const kindTitle: Record<AlertKind, string> = {
  negative_post: '负面内容',
  kol_negative: 'KOL 负面',
  spike: '负面激增',
  watchword: '关键词预警',
  flag: '会员举报',
};

/** The case's title from its strongest signal. */
export const titleFor = (kind: AlertKind, subject: string) => `${kindTitle[kind]}：${subject}`.slice(0, 300);

/**
 * What leaves the server about a case (webhooks into DingTalk, WeCom, Slack channels whose readers
 * are not checked against our policy): a private chapter's case goes out without its title or
 * excerpt, only its kind, severity and link, so a private 同城会's posts never reach outsiders.
 */
function notice(alert: Alert, summary: string, privateChapter: boolean): AlertNotice {
  return {
    alertId: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    title: privateChapter ? titleFor(alert.kind, '私密同城会内容') : alert.title,
    summary: privateChapter ? '' : summary.slice(0, 500),
    path: `/desk#alert-${alert.id}`,
    chapterId: alert.chapterId,
    slaDueAt: alert.slaDueAt.toISOString(),
  };
}

async function isPrivateChapter(chapterId: number | null, transaction: Transaction): Promise<boolean> {
  if (chapterId === null) return false;
  return (await Chapter.findByPk(chapterId, { attributes: ['visibility'], transaction }))?.visibility !== 'public';
}

/** The least-loaded responder on duty (fewest active cases; ties: the one idle longest), or null. */
async function pickOnDuty(onDuty: string[], transaction: Transaction): Promise<User | null> {
  if (onDuty.length === 0) return null;
  const users = (await User.findAll({ where: { username: { [Op.in]: onDuty } }, transaction })).filter((u) => u.role !== 'member' && !u.suspendedAt);
  if (users.length === 0) return null;
  const loads = await Promise.all(
    users.map(async (u) => ({
      u,
      // Load: the active cases they hold, assigned-but-unclaimed included.
      active: await Alert.count({ where: { assigneeId: u.id, status: { [Op.in]: [...ACTIVE] } }, transaction }),
      last: (await Alert.max<Date | null, Alert>('createdAt', { where: { assigneeId: u.id }, transaction })) ?? new Date(0),
    })),
  );
  loads.sort((a, b) => a.active - b.active || new Date(a.last).getTime() - new Date(b.last).getTime() || a.u.id - b.u.id);
  return loads[0].u;
}

/**
 * Store one rule firing: it opens a case, or joins the active case with its key (severity is the
 * strongest signal's, the SLA the tightest). Idempotent by the draft's dedupe key. Returns the
 * case and whether it is new, or null when this firing was stored before.
 */
export async function raiseSignal(draft: SignalDraft, subject: SignalSubject, now = new Date()): Promise<{ alert: Alert; created: boolean } | null> {
  const settings = await alertSettings();
  return withTransaction(async (transaction) => {
    if (await AlertSignal.findOne({ where: { dedupeKey: draft.dedupeKey }, attributes: ['id'], transaction })) return null;
    let alert = await Alert.findOne({ where: { caseKey: draft.caseKey, status: { [Op.in]: [...ACTIVE] } }, order: [['id', 'DESC']], transaction });
    // A signal joins an open case; once someone took the case, only what is no worse joins it. A
    // stronger one (a 起火 post in a complaint thread being answered) is a new case with its own SLA.
    if (alert && alert.status !== 'open' && draft.severity > alert.severity) alert = null;
    const due = new Date(now.getTime() + slaMinutesFor(draft.severity, settings.sla) * MINUTE);
    let created = false;
    if (alert) {
      const stronger = draft.severity > alert.severity;
      alert.signalCount += 1;
      alert.kinds = [...new Set([...alert.kinds, draft.kind])];
      alert.reasons = [...new Set([...alert.reasons, ...draft.reasons])].slice(0, MAX_REASONS);
      alert.lastSignalAt = now;
      if (stronger) {
        alert.severity = draft.severity;
        alert.kind = draft.kind;
        alert.title = titleFor(draft.kind, subject.title);
        // The case shows (and a response answers) its strongest post.
        if (subject.postId) alert.postId = subject.postId;
        if (subject.authorId) alert.authorId = subject.authorId;
      }
      // Unclaimed, a stronger signal tightens the clock; once claimed the SLA has been met.
      if (alert.status === 'open' && due < alert.slaDueAt) alert.slaDueAt = due;
      alert.postId ??= subject.postId ?? null;
      alert.term ??= subject.term ?? null;
      alert.version += 1;
      await alert.save({ transaction });
      await recordEvents(transaction, { type: 'alert.updated', alertId: alert.id, status: alert.status, severity: alert.severity, actorId: null, change: 'grouped' });
    } else {
      const assignee = settings.roundRobin ? await pickOnDuty(settings.onDuty, transaction) : null;
      alert = await Alert.create(
        {
          kind: draft.kind,
          kinds: [draft.kind],
          severity: draft.severity,
          // Assigned by round-robin, still open: the SLA runs until the assignee claims it, so a
          // responder who left without going off duty cannot sink a case.
          status: 'open',
          caseKey: draft.caseKey,
          title: titleFor(draft.kind, subject.title),
          postId: subject.postId ?? null,
          mentionId: subject.mentionId ?? null,
          threadId: subject.threadId ?? null,
          chapterId: subject.chapterId ?? null,
          authorId: subject.authorId ?? null,
          source: subject.source ?? null,
          term: subject.term ?? null,
          reasons: draft.reasons.slice(0, MAX_REASONS),
          lastSignalAt: now,
          assigneeId: assignee?.id ?? null,
          claimedAt: null,
          respondedAt: null,
          closedAt: null,
          closedById: null,
          closingNote: null,
          slaDueAt: due,
          escalatedAt: null,
          feedback: null,
          createdAt: now,
          updatedAt: now,
        },
        { transaction },
      );
      created = true;
      await recordEvents(transaction, { type: 'alert.raised', ...notice(alert, subject.summary, await isPrivateChapter(alert.chapterId, transaction)) });
      if (assignee) {
        await audit(transaction, null, 'alert.assign', 'alert', String(alert.id), 'round-robin', { assignee: assignee.username });
        await recordEvents(transaction, { type: 'alert.updated', alertId: alert.id, status: alert.status, severity: alert.severity, actorId: null, change: 'assigned' });
      }
    }
    await AlertSignal.create(
      { alertId: alert.id, kind: draft.kind, severity: draft.severity, dedupeKey: draft.dedupeKey, reasons: draft.reasons, parts: draft.parts, postId: subject.postId ?? null, mentionId: subject.mentionId ?? null, createdAt: now },
      { transaction },
    );
    return { alert, created };
  });
}

/** Load a case for a responder (404 for those who may not see the desk's cases). */
async function caseFor(actor: Actor, id: number, transaction?: Transaction): Promise<Alert> {
  authorize(actor, 'alerts.view', null);
  const alert = await Alert.findByPk(id, { transaction });
  if (!alert) throw NotFound('Alert');
  return alert;
}

/**
 * Move a case, conditionally: the update applies only if the case is still at the version read
 * (or in one of `from`), so the loser of a race gets 409 and the winner's state stands.
 */
async function transition(
  actor: Actor,
  id: number,
  change: AlertChange,
  opts: { from: readonly AlertStatus[]; set: (a: Alert) => Partial<Alert>; reason: string | null; data?: (a: Alert) => Record<string, unknown>; transaction?: Transaction },
): Promise<Alert> {
  const run = async (transaction: Transaction) => {
    const alert = await caseFor(actor, id, transaction);
    if (!opts.from.includes(alert.status)) {
      const who = alert.assigneeId ? (await User.findByPk(alert.assigneeId, { transaction }))?.displayName : null;
      throw Conflict(alert.status === 'claimed' && change === 'claimed' ? `Already claimed${who ? ` by ${who}` : ''}` : `The case is ${alert.status}`);
    }
    const before = { status: alert.status, assigneeId: alert.assigneeId, version: alert.version };
    const patch = { ...opts.set(alert), version: alert.version + 1, updatedAt: new Date() };
    const [n] = await Alert.update(patch, { where: { id, version: alert.version, status: alert.status }, transaction });
    if (n === 0) throw Conflict('The case changed meanwhile; reload it');
    const after = await Alert.findByPk(id, { transaction });
    await audit(transaction, actor.id, `alert.${change}`, 'alert', String(id), opts.reason, { before, after: { status: after!.status, assigneeId: after!.assigneeId }, ...opts.data?.(alert) });
    await recordEvents(transaction, { type: 'alert.updated', alertId: id, status: after!.status, severity: after!.severity, actorId: actor.id, change });
    return after!;
  };
  return opts.transaction ? run(opts.transaction) : withTransaction(run);
}

/** Claim an open case for oneself. */
export function claimAlert(actor: Actor, id: number): Promise<Alert> {
  authorize(actor, 'alerts.work', null);
  return transition(actor, id, 'claimed', { from: ['open'], set: () => ({ status: 'claimed', assigneeId: actor.id, claimedAt: new Date() }), reason: null });
}

/** Give a case to a responder (shift leads: moderators, admins). */
export async function assignAlert(actor: Actor, id: number, username: string, reason: string | null): Promise<Alert> {
  authorize(actor, 'alerts.assign', null);
  const user = await User.findOne({ where: { username } });
  if (!user || !can(await actorFor(user), 'desk.view', null)) throw Validation('username', 'must be a responder (moderator, pr or admin)');
  return transition(actor, id, 'assigned', {
    from: ACTIVE,
    set: (a) => ({ status: a.status === 'open' ? 'claimed' : a.status, assigneeId: user.id, claimedAt: a.claimedAt ?? new Date() }),
    reason,
    data: () => ({ assignee: user.username }),
  });
}

/** Put a claimed case back in the queue (its assignee, or a shift lead). */
export function releaseAlert(actor: Actor, id: number, reason: string): Promise<Alert> {
  authorize(actor, 'alerts.work', null);
  return transition(actor, id, 'reopened', {
    from: ['claimed'],
    set: (a) => {
      if (a.assigneeId !== actor.id && !can(actor, 'alerts.assign', null)) throw Forbidden('Only its assignee or a shift lead can release this case');
      return { status: 'open', assigneeId: null, claimedAt: null };
    },
    reason,
  });
}

/**
 * Respond: reply in the case's thread as the brand's official account (or as oneself when none
 * is set), then mark the case responded. An open case is claimed by the responder on the way.
 */
export async function respondToAlert(actor: Actor, id: number, body: string): Promise<{ alert: Alert; postId: number }> {
  authorize(actor, 'alerts.work', null);
  authorize(actor, 'post.respondOfficially', null);
  const alert = await caseFor(actor, id);
  if (!alert.threadId) throw Validation('alert', 'this case has no forum thread to reply in (record the response in the resolve note)');
  if (!ACTIVE.includes(alert.status)) throw Conflict(`The case is ${alert.status}`);
  const settings = await alertSettings();
  const official = settings.officialUsername ? await User.findOne({ where: { username: settings.officialUsername } }) : null;
  const author = official ? await actorFor(official) : actor;
  // Reply to the post the case is about (or in its thread); the brand account must be able to read it.
  const ctx = alert.postId !== null ? await loadPost(author, alert.postId) : await loadThread(author, alert.threadId);
  // Take the case for this response first, conditionally: of two responders answering at once one
  // posts and the other gets 409, and nobody answers a case someone else holds.
  const taken = await transition(actor, id, 'responded', {
    from: ACTIVE,
    set: (a) => {
      if (a.assigneeId !== null && a.assigneeId !== actor.id) throw Conflict('The case is claimed by someone else');
      return { status: 'responded', assigneeId: actor.id, claimedAt: a.claimedAt ?? new Date(), respondedAt: new Date() };
    },
    reason: null,
    data: () => ({ as: author.username }),
  });
  let postId: number;
  try {
    postId = (await createPost(author, { thread: ctx.thread, chapter: ctx.chapter }, { body, ...(alert.postId !== null ? { replyTo: alert.postId } : {}) })).id;
  } catch (err) {
    // Nothing was posted: put the case back as it was (unless it moved on meanwhile).
    await Alert.update(
      { status: alert.status, assigneeId: alert.assigneeId, claimedAt: alert.claimedAt, respondedAt: alert.respondedAt, version: taken.version + 1 },
      { where: { id, version: taken.version } },
    );
    throw err;
  }
  await withTransaction((t) => audit(t, actor.id, 'alert.reply', 'post', String(postId), null, { alertId: id, as: author.username }));
  return { alert: taken, postId };
}

/** The ids of the member reports a case holds (their reporters are told the outcome). */
async function flagIdsOf(alertId: number, transaction: Transaction): Promise<number[]> {
  const signals = await AlertSignal.findAll({ where: { alertId, kind: 'flag' }, attributes: ['dedupeKey'], transaction });
  return signals.map((s) => Number(s.dedupeKey.slice('flag:'.length))).filter(Number.isFinite);
}

/** Close a case (resolved with a note, or dismissed with a reason); reporters are notified of the outcome. */
export async function closeAlert(actor: Actor, id: number, outcome: 'resolved' | 'dismissed', note: string): Promise<Alert> {
  authorize(actor, 'alerts.work', null);
  return withTransaction(async (transaction) => {
    const after = await transition(actor, id, outcome, {
      from: ACTIVE,
      set: (a) => {
        // Closing a case someone else holds (and, with it, the members' reports on it) is a shift lead's call.
        if (a.assigneeId !== null && a.assigneeId !== actor.id) authorize(actor, 'alerts.closeOthers', null);
        return { status: outcome, closedAt: new Date(), closedById: actor.id, closingNote: note };
      },
      reason: note,
      transaction,
    });
    const flagIds = await flagIdsOf(id, transaction);
    if (flagIds.length) {
      const flags = await Flag.findAll({ where: { id: { [Op.in]: flagIds }, status: 'open' }, transaction });
      for (const flag of flags) {
        flag.status = outcome;
        await flag.save({ transaction });
        const post = await Post.findByPk(flag.postId, { transaction });
        const [note2, isNew] = await Notification.findOrCreate({
          where: { userId: flag.userId, kind: outcome === 'resolved' ? 'flag_resolved' : 'flag_dismissed', postId: flag.postId },
          defaults: { userId: flag.userId, kind: outcome === 'resolved' ? 'flag_resolved' : 'flag_dismissed', postId: flag.postId, threadId: post?.threadId ?? null, actorId: null, chapterId: after.chapterId, readAt: null },
          transaction,
        });
        if (isNew) await recordEvents(transaction, { type: 'notification.created', notificationId: note2.id, userId: flag.userId });
      }
    }
    return after;
  });
}

/** Reopen a closed case (new evidence, a wrong dismissal). */
export function reopenAlert(actor: Actor, id: number, reason: string): Promise<Alert> {
  authorize(actor, 'alerts.work', null);
  return transition(actor, id, 'reopened', { from: ['resolved', 'dismissed'], set: () => ({ status: 'open', assigneeId: null, claimedAt: null, closedAt: null, closedById: null, closingNote: null, escalatedAt: null }), reason });
}

/** Record a responder's verdict on the sentiment ("confirmed negative" / "not negative") on the case. */
export async function setAlertFeedback(actor: Actor, id: number, verdict: 'negative' | 'not_negative', label: 'neutral' | 'positive' = 'neutral'): Promise<Alert> {
  authorize(actor, 'alerts.work', null);
  return withTransaction(async (transaction) => {
    const alert = await caseFor(actor, id, transaction);
    const before = alert.feedback;
    alert.feedback = verdict;
    await alert.save({ transaction });
    // The verdict on the case's item is a labelled example for `resonance retrain` (spikes have none).
    const item = alert.postId !== null ? { itemKind: 'post' as const, itemId: alert.postId } : alert.mentionId !== null ? { itemKind: 'mention' as const, itemId: alert.mentionId } : null;
    if (item) await recordSentimentLabel(actor, { ...item, label: labelFromFeedback(verdict === 'negative' ? 'confirmed_negative' : 'not_negative', label), source: 'alert', alertId: id }, transaction);
    await audit(transaction, actor.id, 'alert.feedback', 'alert', String(id), null, { before, after: verdict, label: verdict === 'negative' ? 'negative' : label });
    return alert;
  });
}

/**
 * Escalate every open case past its SLA as of `now` (the sweep calls this with the clock; tests
 * with any time they like): admins are notified, and `alert.escalated` goes to the webhooks.
 */
export async function escalateOverdue(now = new Date()): Promise<number> {
  const overdue = await Alert.findAll({ where: { status: 'open', escalatedAt: null, slaDueAt: { [Op.lte]: now } }, order: [['id', 'ASC']], limit: 200 });
  let escalated = 0;
  for (const alert of overdue) {
    await withTransaction(async (transaction) => {
      const [n] = await Alert.update({ escalatedAt: now, version: alert.version + 1 }, { where: { id: alert.id, version: alert.version, status: 'open' }, transaction });
      if (n === 0) return; // claimed meanwhile: the SLA was met
      escalated++;
      const overdueSeconds = Math.round((now.getTime() - alert.slaDueAt.getTime()) / 1000);
      await audit(transaction, null, 'alert.escalated', 'alert', String(alert.id), 'unclaimed past its SLA', { slaDueAt: alert.slaDueAt.toISOString(), overdueSeconds });
      await recordEvents(
        transaction,
        { type: 'alert.escalated', overdueSeconds, ...notice(alert, alert.reasons.slice(0, 3).join('; '), await isPrivateChapter(alert.chapterId, transaction)) },
        { type: 'alert.updated', alertId: alert.id, status: 'open', severity: alert.severity, actorId: null, change: 'escalated' },
      );
      const admins = await User.findAll({ where: { role: 'admin', suspendedAt: null }, attributes: ['id'], transaction });
      for (const admin of admins) {
        const note = await Notification.create({ userId: admin.id, kind: 'alert_escalated', actorId: null, threadId: alert.threadId, postId: alert.postId, chapterId: alert.chapterId, readAt: null }, { transaction });
        await recordEvents(transaction, { type: 'notification.created', notificationId: note.id, userId: admin.id });
      }
    });
  }
  return escalated;
}

let sweepTimer: NodeJS.Timeout | null = null;
/** Check SLAs every `seconds` (one process should run this; a second one finds nothing to do). */
export function scheduleEscalation(seconds: number): void {
  stopEscalation();
  sweepTimer = setInterval(() => void escalateOverdue().catch((err) => log.error('SLA sweep failed; retrying next round', { error: String(err) })), seconds * 1000);
  sweepTimer.unref();
}
/** Stop the SLA sweep. */
export function stopEscalation(): void {
  if (sweepTimer) clearInterval(sweepTimer);
  sweepTimer = null;
}

export interface AlertListQuery {
  status?: AlertStatus | 'active';
  mine?: boolean;
  kind?: AlertKind;
  limit: number;
}

/** The queue: by severity, then age (oldest first: it has waited longest). */
export async function listAlerts(actor: Actor, q: AlertListQuery): Promise<Alert[]> {
  authorize(actor, 'alerts.view', null);
  const where: WhereOptions<Alert> = {};
  if (!q.status || q.status === 'active') Object.assign(where, { status: { [Op.in]: [...ACTIVE] } });
  else Object.assign(where, { status: q.status });
  if (q.mine) Object.assign(where, { assigneeId: actor.id });
  // `kinds` is a JSON array: match its text (portable across SQLite's TEXT and Postgres' json).
  const kindFilter = q.kind ? sqlWhere(cast(col('kinds'), 'TEXT'), { [Op.like]: `%"${q.kind}"%` }) : null;
  const closed = q.status === 'resolved' || q.status === 'dismissed';
  return Alert.findAll({ where: kindFilter ? { [Op.and]: [where, kindFilter] } : where, order: closed ? [['closedAt', 'DESC']] : [['severity', 'DESC'], ['createdAt', 'ASC']], limit: q.limit });
}

/** Everything the desk shows for one case: its signals, the post with thread context, the author. */
export async function alertDetail(actor: Actor, id: number) {
  const alert = await caseFor(actor, id);
  const signals = await AlertSignal.findAll({ where: { alertId: id }, order: [['id', 'ASC']], limit: 100 });
  const post = alert.postId ? await Post.findByPk(alert.postId) : null;
  const thread = alert.threadId ? await Thread.findByPk(alert.threadId) : null;
  const context = thread ? await Post.findAll({ where: { threadId: thread.id, deletedAt: null, ...(post ? { id: { [Op.lte]: post.id } } : {}) }, order: [['id', 'DESC']], limit: 4 }) : [];
  const mention = alert.mentionId ? await Mention.findByPk(alert.mentionId) : null;
  const chapter = alert.chapterId ? await Chapter.findByPk(alert.chapterId) : null;
  const userIds = [...new Set([alert.authorId, alert.assigneeId, alert.closedById, ...context.map((p) => p.authorId)].filter((x): x is number => x !== null))];
  const users = new Map((userIds.length ? await User.findAll({ where: { id: { [Op.in]: userIds } } }) : []).map((u) => [u.id, u]));
  const analysis = post ? await Analysis.findByPk(`post:${post.id}`) : mention ? await Analysis.findByPk(`mention:${mention.id}`) : null;
  return { alert, signals, post, thread, context: context.reverse(), mention, chapter, users, analysis };
}

/** Ids of responders by username (for presenting assignees in bulk). */
export async function usersById(ids: number[]): Promise<Map<number, User>> {
  const unique = [...new Set(ids)];
  return new Map((unique.length ? await User.findAll({ where: { id: { [Op.in]: unique } } }) : []).map((u) => [u.id, u]));
}
