/**
 * The typed Socket.IO contract, imported by the server, the browser code and the tests.
 * Client -> server events are commands (with an ack); server -> client events are facts.
 * Types only: the browser bundle imports nothing at runtime from here.
 */
import type { ErrorCode } from '../errors';
import type { PresentedNotification, PresentedPost, PresentedThread } from '../presenters';
import type { PresentedConversation, PresentedMessage } from '../presenters/conversation';

/** Every command's acknowledgement. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export interface Viewer {
  username: string;
  displayName: string;
}

export interface JoinResult {
  thread: PresentedThread;
  /** How many posts after lastSeenPostId were replayed (as post:created) before this ack. */
  replayed: number;
  /** True when more posts were missed than one replay carries; the client should reload. */
  truncated: boolean;
}

export interface ConversationJoinResult {
  conversation: PresentedConversation;
  /** How many messages after lastSeenMessageId were replayed (as message:created) before this ack. */
  replayed: number;
  /** True when more were missed than one replay carries; the client should reload. */
  truncated: boolean;
}

export interface ClientToServerEvents {
  /** Follow a private conversation (participants only; anyone else gets not_found), replaying what was missed. */
  'conversation:join': (payload: { conversationId: string; lastSeenMessageId?: string | null }, ack: (res: Ack<ConversationJoinResult>) => void) => void;
  'conversation:leave': (payload: { conversationId: string }, ack?: (res: Ack<null>) => void) => void;
  /** Say this member is typing in a conversation they joined (participants only; renewals within 2 s are absorbed). */
  'conversation:typing': (payload: { conversationId: string }, ack?: (res: Ack<null>) => void) => void;
  'thread:join': (payload: { threadId: string; lastSeenPostId?: string | null }, ack: (res: Ack<JoinResult>) => void) => void;
  'thread:leave': (payload: { threadId: string }, ack?: (res: Ack<null>) => void) => void;
  'typing:start': (payload: { threadId: string }, ack?: (res: Ack<null>) => void) => void;
}

export interface ServerToClientEvents {
  'post:created': (payload: { threadId: string; post: PresentedPost; replay?: boolean }) => void;
  'post:updated': (payload: { threadId: string; post: PresentedPost }) => void;
  'post:removed': (payload: { threadId: string; postId: string; reason: 'deleted' | 'hidden' }) => void;
  'post:liked': (payload: { threadId: string; postId: string; likes: number }) => void;
  'thread:updated': (payload: { threadId: string; locked: boolean }) => void;
  /** The viewer count includes anonymous readers; `members` lists the logged-in ones. */
  'presence:updated': (payload: { threadId: string; viewers: number; members: Viewer[] }) => void;
  /** Someone is typing; clients hide it after expiresInMs unless it is renewed. */
  typing: (payload: { threadId: string; username: string; displayName: string; expiresInMs: number }) => void;
  /** Access to a thread ended (left or removed from its private chapter); no more events for it. */
  'thread:revoked': (payload: { threadId: string }) => void;
  /** A message in a conversation this socket joined (`replay` on join after lastSeenMessageId). */
  'message:created': (payload: { conversationId: string; message: PresentedMessage; replay?: boolean }) => void;
  /** Someone is typing in a conversation this socket joined (never to those who blocked them); hide after expiresInMs. */
  'conversation:typing': (payload: { conversationId: string; username: string; displayName: string; expiresInMs: number }) => void;
  'notification:created': (payload: { notification: PresentedNotification; unread: number }) => void;
  /** The session behind this socket ended (logout, password or role change, ban); the server disconnects next. */
  'session:ended': (payload: { reason: 'logout' | 'password' | 'role' | 'suspended' | 'deleted' }) => void;
}

/** One analysed post or mention in the console's live stream (presentConsoleItem). */
export interface ConsoleItem {
  id: string; // post:<id> | mention:<id>
  kind: 'post' | 'mention';
  text: string; // the first few hundred characters
  author: { username?: string; handle: string; displayName: string; followers: number | null; kol: boolean };
  chapter: { slug: string; name: string } | null;
  source: string;
  sentiment: { label: 'negative' | 'neutral' | 'positive'; score: number; confidence: number };
  /** The terms and cues that explain the label. */
  reasons: string[];
  keywords: string[];
  url: string | null;
  createdAt: string;
  analyzedAt: string;
}

/** Counts that arrived since the previous opinion:updated (the charts add them to their last bucket). */
export interface OpinionDelta {
  /** When this batch was closed (ISO-8601). */
  at: string;
  total: number;
  negative: number;
  neutral: number;
  positive: number;
  scoreSum: number;
  bySource: { source: string; total: number; negative: number; neutral: number; positive: number }[];
  byChapter: { chapter: string; total: number; negative: number; neutral: number; positive: number }[];
}

/** Namespace /console (pr, admin; moderators read-only). */
export interface ConsoleServerToClientEvents {
  'item:analyzed': (payload: { item: ConsoleItem }) => void;
  /** Batched: at most a few per second, however fast items arrive. */
  'opinion:updated': (payload: OpinionDelta) => void;
  'session:ended': (payload: { reason: 'logout' | 'password' | 'role' | 'suspended' | 'deleted' }) => void;
}
export type ConsoleClientToServerEvents = Record<string, never>;

/** A case on the alert desk, as the queue shows it (presentAlert; CONTRACT "Alerts and moderation"). */
export interface DeskAlert {
  id: string;
  kind: 'negative_post' | 'kol_negative' | 'spike' | 'watchword' | 'flag';
  kinds: DeskAlert['kind'][];
  severity: number;
  status: 'open' | 'claimed' | 'responded' | 'resolved' | 'dismissed';
  /** zh-CN, with the kind first ("关键词预警：…"): what webhooks send. */
  title: string;
  /** What the case is about (a thread's title, an outside author, a chapter). */
  subjectTitle: string;
  reasons: string[];
  subject: { postId?: string; mentionId?: string; threadId?: string; chapter?: { slug: string; name: string }; term?: string; source?: string };
  assignee?: { username: string; displayName: string };
  signals: number;
  createdAt: string;
  lastSignalAt: string;
  slaDueAt: string;
  escalated: boolean;
  closedAt?: string;
  closingNote?: string;
  feedback?: 'negative' | 'not_negative';
}

/** Namespace /desk (moderator, pr, admin): the queue, live. */
export interface DeskServerToClientEvents {
  /** A new case. */
  'alert:raised': (payload: { alert: DeskAlert }) => void;
  /** A case changed: another signal joined it, it was claimed, assigned, responded, closed, reopened or escalated. */
  'alert:updated': (payload: { alert: DeskAlert; change: string; actor?: string }) => void;
  'session:ended': (payload: { reason: 'logout' | 'password' | 'role' | 'suspended' | 'deleted' }) => void;
}
export type DeskClientToServerEvents = Record<string, never>;

export interface SocketData {
  actor: import('../policies').Actor | null;
  /** Threads this socket follows, with their chapter (for revocation). */
  threads: Record<string, number | null>;
  /** The client address the connection limits count (see realtime/limits.ts). */
  address: string;
  /** SHA-256 of the session secret, to re-check it on privileged commands (never the secret). */
  credentialHash: string | null;
}

/** How long a typing indicator lives without renewal. */
export const TYPING_TTL_MS = 5_000;
