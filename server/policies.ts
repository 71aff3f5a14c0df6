/** Every authorization rule in one place: can(actor, action, subject). Routes call authorize(). */
import type { Role } from './models/User';
import type { ChapterRole, MembershipStatus } from './models/Membership';
import { Forbidden, Unauthenticated } from './errors';

/**
 * Who is acting. A session acts as its user, with the user's role and chapter memberships.
 * An API key is a principal of its own: it may do what its scopes name and otherwise reads
 * exactly as an anonymous visitor does. Its `role` is the creating admin's, and must never
 * count (that was how an `ingest` key came to read private chapters and staff analysis).
 */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  suspended: boolean;
  memberships: Map<number, { status: MembershipStatus; role: ChapterRole }>;
  /** API keys carry scopes; sessions carry none (they act with the user's role). */
  scopes: string[] | null;
  /** The session or key this actor authenticated with (null when built without one, e.g. the CLI). */
  credentialId?: number | null;
  /** The member's chosen IANA time zone (null or absent: none chosen). Pages only; no rule reads it. */
  timeZone?: string | null;
}

/** The scopes an API key can carry. */
export type Scope = 'ingest';

export interface ChapterRef { id: number; visibility: 'public' | 'private' }
export interface ThreadRef { id: number; authorId: number; chapterId: number | null; locked: boolean; hiddenAt: Date | null }
/** A conversation as the rules see it: who takes part, and whether a participant reported it. */
export interface ConversationRef { id: number; participantIds: number[]; reportedAt: Date | null }
export interface PostRef { id: number; authorId: number; deletedAt: Date | null; hiddenAt: Date | null }
/** A post in a private chapter that shows an upload (post_uploads), as the rules see it. */
export interface PrivateUseRef { post: PostRef; thread: ThreadRef; chapter: ChapterRef }

type Subjects = {
  'chapter.read': { chapter: ChapterRef };
  'chapter.post': { chapter: ChapterRef };
  'chapter.moderate': { chapter: ChapterRef };
  'chapter.join': { chapter: ChapterRef };
  'chapter.create': null;
  'category.create': null;
  'thread.read': { thread: ThreadRef; chapter: ChapterRef | null };
  'thread.create': { chapter: ChapterRef | null };
  'thread.reply': { thread: ThreadRef; chapter: ChapterRef | null };
  'thread.lock': { thread: ThreadRef; chapter: ChapterRef | null };
  'thread.pin': { thread: ThreadRef; chapter: ChapterRef | null };
  'thread.announce': { thread: ThreadRef; chapter: ChapterRef | null };
  'post.edit': { post: PostRef; thread: ThreadRef; chapter: ChapterRef | null };
  'post.delete': { post: PostRef; thread: ThreadRef; chapter: ChapterRef | null };
  'post.like': { post: PostRef; thread: ThreadRef; chapter: ChapterRef | null };
  'post.flag': { post: PostRef; thread: ThreadRef; chapter: ChapterRef | null };
  'post.hide': { post: PostRef; thread: ThreadRef; chapter: ChapterRef | null };
  'post.viewAnalysis': null;
  'user.setRole': null;
  'apiKey.create': null;
  'dictionary.edit': null;
  'mentions.ingest': null;
  'search.query': null;
  'search.forum': null;
  'console.view': null;
  'console.configure': null;
  'member.insight': null;
  'member.tag': null;
  'desk.view': null;
  'alerts.view': null;
  'alerts.work': null;
  'alerts.assign': null;
  'alerts.closeOthers': null;
  'alerts.configure': null;
  'post.respondOfficially': null;
  'user.sanction': { target: { id: number; role: Role } };
  'people.view': null;
  'chapter.appoint': null;
  'audit.view': null;
  'upload.create': null;
  'upload.delete': { upload: { userId: number } };
  'upload.use': { upload: { userId: number } };
  'upload.read': { uploaderIds: number[]; privateUses: PrivateUseRef[]; conversationUses: ConversationRef[] };
  'profile.seePrivate': { owner: { id: number } };
  'conversation.start': null;
  'conversation.read': { conversation: ConversationRef };
  'conversation.post': { conversation: ConversationRef };
  'conversation.report': { conversation: ConversationRef };
  'conversation.review': { conversation: ConversationRef };
  'conversations.reviewList': null;
  'member.block': { target: { id: number } };
};
export type Action = keyof Subjects;

const STAFF: readonly Role[] = ['moderator', 'pr', 'admin'];
/** Whether a role is a staff role (a user record's, e.g. the brand's official account or an on-duty responder). */
export const isStaffRole = (role: Role): boolean => STAFF.includes(role);

/** The person acting, or null for anonymous visitors and API keys (which hold no user rights). */
export const personOf = (a: Actor | null): Actor | null => (a && a.scopes === null ? a : null);
/** Staff = moderator, pr, admin (CONTRACT.md); only a person's session is ever staff. */
export const isStaff = (a: Actor | null) => { const p = personOf(a); return !!p && STAFF.includes(p.role); };
const isAdmin = (a: Actor | null) => personOf(a)?.role === 'admin';
const isModerator = (a: Actor | null) => { const role = personOf(a)?.role; return role === 'moderator' || role === 'admin'; };
const isMember = (a: Actor | null, chapterId: number) => personOf(a)?.memberships.get(chapterId)?.status === 'member';
const isChapterModerator = (a: Actor | null, chapterId: number) => {
  const m = personOf(a)?.memberships.get(chapterId);
  return m?.status === 'member' && m.role === 'moderator';
};
/** A person who may act (not suspended). */
const active = (a: Actor | null): a is Actor => !!personOf(a) && !a!.suspended;
const hasScope = (a: Actor | null, scope: Scope) => !!a && !a.suspended && a.scopes !== null && a.scopes.includes(scope);

function canReadChapter(a: Actor | null, chapter: ChapterRef | null): boolean {
  if (!chapter || chapter.visibility === 'public') return true;
  return isStaff(a) || isMember(a, chapter.id);
}

function canReadThread(a: Actor | null, thread: ThreadRef, chapter: ChapterRef | null): boolean {
  if (thread.hiddenAt && !isStaff(a)) return false;
  return canReadChapter(a, chapter);
}

function canWriteIn(a: Actor | null, chapter: ChapterRef | null): boolean {
  if (!active(a)) return false;
  if (!chapter) return true;
  if (chapter.visibility === 'public') return true;
  return isStaff(a) || isMember(a, chapter.id);
}

const rules: { [A in Action]: (a: Actor | null, s: Subjects[A]) => boolean } = {
  'chapter.read': (a, s) => canReadChapter(a, s.chapter),
  'chapter.post': (a, s) => canWriteIn(a, s.chapter),
  'chapter.join': (a) => active(a),
  'chapter.moderate': (a, s) => active(a) && (isModerator(a) || isChapterModerator(a, s.chapter.id)),
  'chapter.create': (a) => active(a) && isAdmin(a),
  'category.create': (a) => active(a) && isAdmin(a),
  'thread.read': (a, s) => canReadThread(a, s.thread, s.chapter),
  'thread.create': (a, s) => canWriteIn(a, s.chapter),
  'thread.reply': (a, s) =>
    canReadThread(a, s.thread, s.chapter) && canWriteIn(a, s.chapter) && (!s.thread.locked || isStaff(a)),
  'thread.lock': (a, s) =>
    active(a) && (isModerator(a) || (s.chapter !== null && isChapterModerator(a, s.chapter.id))),
  // Pinning in a chapter or category, like locking: site moderators, chapter moderators in theirs.
  'thread.pin': (a, s) =>
    active(a) && canReadThread(a, s.thread, s.chapter) && (isModerator(a) || (s.chapter !== null && isChapterModerator(a, s.chapter.id))),
  // A global announcement shows on everyone's home page: site moderators and admins only.
  'thread.announce': (a, s) => active(a) && canReadThread(a, s.thread, s.chapter) && isModerator(a),
  // The author, or a site moderator/admin (audit-logged by the service). Not PR staff: a brand's
  // official account rewriting or removing fans' posts is a trust problem (issue #10).
  'post.edit': (a, s) =>
    active(a) && canReadThread(a, s.thread, s.chapter) && !s.post.deletedAt && (a.id === s.post.authorId || isModerator(a)),
  'post.delete': (a, s) =>
    active(a) && canReadThread(a, s.thread, s.chapter) && !s.post.deletedAt && (a.id === s.post.authorId || isModerator(a)),
  'post.like': (a, s) =>
    active(a) && canReadThread(a, s.thread, s.chapter) && !s.post.deletedAt && a.id !== s.post.authorId,
  'post.flag': (a, s) => active(a) && canReadThread(a, s.thread, s.chapter) && !s.post.deletedAt,
  // Moderation, like locking: site moderators anywhere, chapter moderators in their chapter.
  'post.hide': (a, s) =>
    active(a) && !s.post.deletedAt && (isModerator(a) || (s.chapter !== null && isChapterModerator(a, s.chapter.id))),
  'post.viewAnalysis': (a) => isStaff(a),
  'user.setRole': (a) => active(a) && isAdmin(a),
  'apiKey.create': (a) => active(a) && isAdmin(a),
  'dictionary.edit': (a) => active(a) && isAdmin(a),
  'mentions.ingest': (a) => hasScope(a, 'ingest'),
  // The listening search: mentions, sentiment and its filters (staff).
  'search.query': (a) => active(a) && isStaff(a),
  // Forum search is open to everyone (CONTRACT v1.1): what it returns is scoped by chapter reads.
  'search.forum': () => true,
  // PR staff work the console; moderators may look (read-only: they change nothing there).
  'console.view': (a) => active(a) && isStaff(a),
  // Watch lists, KOL thresholds: the console's settings.
  'console.configure': (a) => active(a) && isAdmin(a),
  // Social CRM on a member (interests, timeline, sentiment, influence): staff who work the console.
  'member.insight': (a) => active(a) && isStaff(a),
  'member.tag': (a) => active(a) && (isAdmin(a) || personOf(a)?.role === 'pr'),
  // The alert desk is for every responder: moderators, PR staff, admins (issue #10).
  'desk.view': (a) => active(a) && isStaff(a),
  'alerts.view': (a) => active(a) && isStaff(a),
  // Claim, respond, resolve, dismiss, label: any responder.
  'alerts.work': (a) => active(a) && isStaff(a),
  // Handing a case to someone else is a shift lead's call: moderators and admins.
  'alerts.assign': (a) => active(a) && isModerator(a),
  // Resolving or dismissing a case another responder holds (with its members' reports): shift leads.
  'alerts.closeOthers': (a) => active(a) && isModerator(a),
  // Thresholds, SLAs, canned responses, webhooks.
  'alerts.configure': (a) => active(a) && isAdmin(a),
  // Reply in a thread as the brand's official account (from the desk).
  'post.respondOfficially': (a) => active(a) && isStaff(a),
  // Warn, suspend, ban: site moderators and admins; never staff above or equal to a moderator unless admin.
  'user.sanction': (a, s) => active(a) && isModerator(a) && a.id !== s.target.id && (isAdmin(a) || s.target.role === 'member'),
  'people.view': (a) => active(a) && isModerator(a),
  'chapter.appoint': (a) => active(a) && isAdmin(a),
  'audit.view': (a) => active(a) && isAdmin(a),
  // Uploads: any active member; only the owner uses an upload (as an avatar); the owner or a
  // moderator deletes it. Nobody replaces one: names are content-addressed.
  'upload.create': (a) => active(a),
  'upload.delete': (a, s) => active(a) && (a.id === s.upload.userId || isModerator(a)),
  'upload.use': (a, s) => active(a) && a.id === s.upload.userId,
  // An image shown in a private chapter or a private message (secure uploads): its uploaders,
  // whoever may read one of those posts as it stands (a removed post lets nobody in), and whoever
  // may read or review one of those conversations. Anything else is public.
  'upload.read': (a, s) =>
    (s.privateUses.length === 0 && s.conversationUses.length === 0) ||
    (!!personOf(a) && s.uploaderIds.includes(a!.id)) ||
    s.privateUses.some((u) => !u.post.deletedAt && canReadThread(a, u.thread, u.chapter) && (!u.post.hiddenAt || seesHiddenPosts(a, u.chapter))) ||
    s.conversationUses.some((c) => isParticipant(a, c) || canReviewConversation(a, c)),
  // What a member keeps off their profile (likes, chapters, last seen): the member themselves, and
  // site moderators and admins (moderation). Not PR staff: fans hide things from the brand too.
  'profile.seePrivate': (a, s) => { const p = personOf(a); return !!p && (p.id === s.owner.id || isModerator(p)); },
  // Private messages (issue #12). Reading is for participants only; anyone else gets 404.
  'conversation.start': (a) => active(a),
  'conversation.read': (a, s) => isParticipant(a, s.conversation),
  'conversation.post': (a, s) => active(a) && isParticipant(a, s.conversation),
  'conversation.report': (a, s) => active(a) && isParticipant(a, s.conversation),
  // Staff never browse members' messages: site moderators may open one only once a participant
  // reported it (the service audit-logs every such read).
  'conversation.review': (a, s) => canReviewConversation(a, s.conversation),
  'conversations.reviewList': (a) => active(a) && isModerator(a),
  'member.block': (a, s) => active(a) && a.id !== s.target.id,
};

/** A site moderator who is not in a conversation a participant reported (conversation.review). */
function canReviewConversation(a: Actor | null, conversation: ConversationRef): boolean {
  return active(a) && isModerator(a) && conversation.reportedAt !== null && !isParticipant(a, conversation);
}

function isParticipant(a: Actor | null, conversation: ConversationRef): boolean {
  const p = personOf(a);
  return !!p && conversation.participantIds.includes(p.id);
}

/** Query scope: which of these private chapters the actor may not read (their content is filtered out). */
export function unreadableChapters<C extends ChapterRef>(actor: Actor | null, privateChapters: C[]): C[] {
  return privateChapters.filter((chapter) => !canReadChapter(actor, chapter));
}

/** Query scope: whether hidden threads and posts stay in what the actor sees (staff), or are gone (404). */
export const seesHidden = (actor: Actor | null) => isStaff(actor);

/**
 * Query scope: whether hidden posts stay on a thread page, marked hidden, for this actor: those
 * who may hide and restore there (site moderators, admins, the chapter's moderators).
 */
export const seesHiddenPosts = (actor: Actor | null, chapter: ChapterRef | null) =>
  active(actor) && (isModerator(actor) || (chapter !== null && isChapterModerator(actor, chapter.id)));

/** A signed-in person, for self-service routes (/me, notifications, joining): 401 anonymous, 403 for an API key. */
export function requirePerson(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw Unauthenticated();
  if (!personOf(actor)) throw Forbidden('API keys act only within their scopes; sign in as a person for this');
}

/** Whether actor may do action to subject. Pure: no I/O. */
export function can<A extends Action>(actor: Actor | null, action: A, subject: Subjects[A]): boolean {
  return rules[action](actor, subject);
}

/** Throw 401 (anonymous) or 403 unless can(...). */
export function authorize<A extends Action>(actor: Actor | null, action: A, subject: Subjects[A]): void {
  if (can(actor, action, subject)) return;
  if (!actor) throw Unauthenticated();
  if (actor.scopes !== null) throw Forbidden(`This API key's scopes do not allow ${action.replace('.', ' ')}`);
  if (actor.suspended) throw Forbidden('Your account is suspended');
  throw Forbidden(`Not allowed to ${action.replace('.', ' ')}`);
}
