/**
 * Typed domain events. A write records its events in the outbox inside its own transaction;
 * processors (workers/) pick them up after commit, so a crash between the two loses nothing.
 */
import type { Transaction } from 'sequelize';
import { asDate, asJson, sqlDate, sqlRows } from './sql';
import type { WatchCategory } from '../search/alerts/watchwords';

type Id = number;

export type DomainEvent =
  | { type: 'thread.created'; threadId: Id; postId: Id; authorId: Id; chapterId: Id | null }
  | { type: 'thread.updated'; threadId: Id; chapterId: Id | null; locked: boolean; actorId: Id }
  /** `mentions` counts the @mentions, so the notifier can skip the common post that has none. */
  | { type: 'post.created'; postId: Id; threadId: Id; authorId: Id; chapterId: Id | null; replyToId: Id | null; mentions?: number }
  | { type: 'post.updated'; postId: Id; threadId: Id; actorId: Id; chapterId: Id | null }
  | { type: 'post.removed'; postId: Id; threadId: Id; actorId: Id; chapterId: Id | null; reason: 'deleted' | 'hidden' }
  | { type: 'post.liked'; postId: Id; threadId: Id; userId: Id; chapterId: Id | null; likes: number }
  | { type: 'post.flagged'; flagId: Id; postId: Id; threadId: Id; userId: Id; chapterId: Id | null; reason: string }
  | { type: 'member.joined'; chapterId: Id; userId: Id; status: 'member' | 'pending' }
  | { type: 'member.left'; chapterId: Id; userId: Id }
  | { type: 'user.updated'; userId: Id; analyticsConsent: boolean; consentChanged: boolean }
  | { type: 'notification.created'; notificationId: Id; userId: Id }
  /**
   * A user's access changed under their live connections: one session ended (logout), or all of
   * them (`credentialId` null) except `keepCredentialId` (password change, role change, ban).
   */
  | { type: 'access.revoked'; userId: Id; credentialId: Id | null; keepCredentialId: Id | null; reason: 'logout' | 'password' | 'role' | 'suspended' | 'deleted' }
  /** A member deleted their account: their posts stay (anonymised) and leave the listening index. */
  | { type: 'user.deleted'; userId: Id; formerUsername: string; postIds: Id[] }
  /** One event per accepted batch, not per mention: ingest runs at thousands per second. */
  | { type: 'mentions.ingested'; mentionIds: Id[] }
  /**
   * The pipeline's judgement of one post or mention, recorded in the transaction that stores
   * the analysis: the console, KOL tracking and alert rules react to it and never re-analyse.
   * `first` is false when an edit (or a reindex) re-analysed an item already judged.
   */
  | ({ type: 'item.analyzed' } & AnalyzedItem)
  /** A new case on the alert desk (webhooks, the desk's sockets). */
  | ({ type: 'alert.raised' } & AlertNotice)
  /** A case changed: grouped another signal, claimed, assigned, responded, resolved, dismissed, reopened. */
  | { type: 'alert.updated'; alertId: Id; status: AlertStatus; severity: number; actorId: Id | null; change: AlertChange }
  /** An unclaimed case passed its SLA: admins are told, and the webhooks. */
  | ({ type: 'alert.escalated'; overdueSeconds: number } & AlertNotice)
  /** A moderator warned, suspended or banned a member (or lifted it). */
  /**
   * A private message was stored. `recipientIds` are the other participants at the time of
   * writing; the conversation processor re-checks blocks before pushing (a block made since wins).
   */
  | { type: 'message.created'; messageId: Id; conversationId: Id; authorId: Id; recipientIds: Id[] }
  /** A participant reported a conversation: moderators may now open it (audit-logged). */
  | { type: 'conversation.reported'; conversationId: Id; reportId: Id; reporterId: Id; messageId: Id | null }
  | { type: 'member.sanctioned'; userId: Id; sanctionId: Id; kind: 'warn' | 'suspend' | 'ban' | 'lift'; until: string | null; actorId: Id };

export type AlertKind = 'negative_post' | 'kol_negative' | 'spike' | 'watchword' | 'flag';
export type AlertStatus = 'open' | 'claimed' | 'responded' | 'resolved' | 'dismissed';
export type AlertChange = 'grouped' | 'claimed' | 'assigned' | 'responded' | 'resolved' | 'dismissed' | 'reopened' | 'escalated';

/** What outside receivers (webhooks) are told of a case: enough to read it without a second request. */
export interface AlertNotice {
  alertId: Id;
  kind: AlertKind;
  severity: number;
  /** One line, in zh-CN (the desk's default language), e.g. "关键词预警：起火". */
  title: string;
  /** The evidence in a sentence or two: an excerpt of the post, the spike's figures. */
  summary: string;
  /** Path on this server (`/desk#alert-12`); receivers prefix PUBLIC_URL. */
  path: string;
  chapterId: Id | null;
  slaDueAt: string;
}

/** What an analysis found about one item, with what its consumers need to place it. */
export interface AnalyzedItem {
  kind: 'post' | 'mention';
  id: Id;
  lang: string;
  label: 'negative' | 'neutral' | 'positive';
  score: number;
  confidence: number;
  keywords: string[];
  /** The terms and cues that explain the label (sentiment reasons). */
  reasons: string[];
  complaint: string | null;
  chapterId: Id | null;
  threadId: Id | null;
  /** `forum` for posts, else the mention's source. */
  source: string;
  /** Posts: the member. Mentions: null, and `handle` names the external author. */
  authorId: Id | null;
  handle: string;
  followers: number | null;
  /** When the item was written (ISO-8601). */
  createdAt: string;
  first: boolean;
  /** Crisis terms and admins' watch-list terms found on the segmented text (optional: older events lack it). */
  watch?: { term: string; category: WatchCategory; list?: string }[];
  /** The text reads as a question (the alert rules damp worry against grievance). */
  question?: boolean;
}

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
/** An event as read back from the outbox, with its position. */
export type StoredEvent<T extends EventType = EventType> = EventOf<T> & { eventId: number; at: Date };

type Listener = (events: readonly StoredEvent[]) => void;
const committedListeners = new Map<Listener, { remote: boolean }>();
let publisher: Listener | null = null;

/**
 * Be told, synchronously, whenever a transaction that recorded events commits (before the
 * caller's await returns). For wake-ups and cache invalidation; durable work belongs in a
 * processor. With `remote`, also of other processes' commits as they arrive over the cluster
 * bus (server/cluster/bus.ts, with REDIS_URL; each event once, in no guaranteed order across
 * processes); without a bus only this process's commits are heard.
 */
export function onEventsCommitted(listener: Listener, options: { remote?: boolean } = {}): () => void {
  committedListeners.set(listener, { remote: options.remote ?? false });
  return () => committedListeners.delete(listener);
}

/** The cluster bus hands this process's committed events on to the other processes (null: none). */
export function publishCommittedEvents(fn: Listener | null): void {
  publisher = fn;
}

/** Events another process committed, from the cluster bus: heard by the `remote` listeners. */
export function receiveRemoteEvents(events: readonly StoredEvent[]): void {
  for (const [listener, { remote }] of committedListeners) if (remote) listener(events);
}

/** Store events in the outbox as part of transaction t; listeners wake after commit. */
export async function recordEvents(t: Transaction, ...events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Prepared statements (server/sql.ts): every forum write records an event, so this is hot.
  const now = new Date();
  const at = sqlDate(now);
  const stored: StoredEvent[] = [];
  for (const event of events) {
    const { type, ...payload } = event;
    const [{ id }] = await sqlRows<{ id: number }>('INSERT INTO "outbox_events" ("type","payload","createdAt") VALUES ($1,$2,$3) RETURNING "id"', [type, JSON.stringify(payload), at], t);
    stored.push({ ...event, eventId: Number(id), at: now } as StoredEvent);
  }
  t.afterCommit(() => {
    for (const listener of committedListeners.keys()) listener(stored);
    publisher?.(stored);
  });
}

/** An outbox row as the dispatcher reads it. */
export interface OutboxRow {
  id: number;
  type: string;
  payload: object;
  createdAt: Date;
}

/** Read outbox rows after an id, in order (prepared: every processor lane polls this). */
export async function outboxAfter(afterId: number, limit: number): Promise<OutboxRow[]> {
  const rows = await sqlRows<{ id: number; type: string; payload: unknown; createdAt: unknown }>(
    'SELECT "id","type","payload","createdAt" FROM "outbox_events" WHERE "id" > $1 ORDER BY "id" LIMIT $2',
    [afterId, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), type: r.type, payload: asJson<object>(r.payload), createdAt: asDate(r.createdAt) }));
}

/** Rebuild a typed event from an outbox row. */
export function fromRow(row: OutboxRow): StoredEvent {
  return { ...(row.payload as object), type: row.type, eventId: row.id, at: row.createdAt } as StoredEvent;
}
