/** The only shapes that leave the server: JSON, Handlebars views and socket payloads all use these. */
import type { Alert, Category, Chapter, Notification, Post, Sanction, Thread, User } from './models';
import { standingOf } from './services/sanctions';
import type { SearchHit } from '../search/backend';
import type { AnalyzedItem } from './events';
import type { ForumHit } from './services/search';
import type { ConsoleItem, DeskAlert } from './realtime/contract';
import { displayPath, thumbPath } from './uploads/images';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/** An uploaded avatar's URL: the 192px square, or the 96px one (`small`) for posts and lists. */
export function avatarUrl(avatarKey: string | null | undefined, small = false): string | undefined {
  return avatarKey ? (small ? thumbPath(avatarKey) : displayPath(avatarKey)) : undefined;
}

/** Public user shape (CONTRACT: {id, username, displayName, role, level?, kol?}). */
export function presentUser(user: User) {
  return { id: String(user.id), username: user.username, displayName: user.displayName, role: user.role, avatarUrl: avatarUrl(user.avatarKey), joinedAt: iso(user.createdAt) };
}

/** The signed-in user's own view of themselves (adds private settings). */
export function presentSelf(user: User) {
  return { ...presentUser(user), analyticsConsent: user.analyticsConsent, locale: user.locale ?? undefined, timeZone: user.timeZone ?? undefined };
}

/** A short author reference embedded in posts and threads. */
/** What presenting an author needs (a User, or a row read by server/sql.ts). */
export type AuthorFields = Pick<User, 'username' | 'displayName'> & { avatarKey?: string | null };
/** What presenting a post needs (a Post, or a row read by server/sql.ts). */
export type PostFields = Pick<Post, 'id' | 'threadId' | 'body' | 'html' | 'replyToId' | 'mentions' | 'likeCount' | 'createdAt' | 'editedAt'> & { floor?: number | null };

/** What a reply shows of the post it answers (services/posts.ts replyTargets). */
export interface ReplyTargetView {
  floor: number | null;
  author: { username: string; displayName: string } | null;
}

export function presentAuthor(user: AuthorFields | undefined) {
  if (!user) return { username: 'deleted', displayName: '—' };
  return user.avatarKey ? { username: user.username, displayName: user.displayName, avatarUrl: avatarUrl(user.avatarKey, true) } : { username: user.username, displayName: user.displayName };
}

/** Chapter shape (CONTRACT: {slug,name,city,visibility,memberCount}). */
export function presentChapter(chapter: Chapter) {
  return {
    slug: chapter.slug,
    name: chapter.name,
    city: chapter.city,
    visibility: chapter.visibility,
    memberCount: chapter.memberCount,
    description: chapter.description,
  };
}

/** Category shape. */
export function presentCategory(category: Category) {
  return { slug: category.slug, name: category.name, description: category.description };
}

/**
 * Thread shape (CONTRACT: {id,title,chapter?,category?,author,postCount,lastPostAt,locked}), plus
 * (issue #12) the chapter's and category's names for display (`chapter`/`category` stay slugs),
 * pinned/announcement, views, replies and the last replier.
 */
export function presentThread(
  thread: Thread,
  related: { author?: User; chapter?: Chapter | null; category?: Category | null; lastPoster?: AuthorFields | null },
) {
  return {
    id: String(thread.id),
    title: thread.title,
    chapter: related.chapter?.slug,
    chapterName: related.chapter?.name,
    category: related.category?.slug,
    categoryName: related.category?.name,
    author: presentAuthor(related.author),
    postCount: thread.postCount,
    replyCount: Math.max(0, thread.postCount - 1),
    views: thread.viewCount ?? 0,
    lastPostAt: iso(thread.lastPostAt)!,
    ...(related.lastPoster && thread.postCount > 1 ? { lastPoster: presentAuthor(related.lastPoster) } : {}),
    createdAt: iso(thread.createdAt)!,
    locked: thread.locked,
    pinned: !!thread.pinnedAt,
    announcement: !!thread.announcement,
  };
}

export interface PostAnalysisView {
  lang: string;
  sentiment: { label: string; score: number };
  keywords: string[];
}

/** Post shape (CONTRACT); `analysis` only when the caller passes it (staff only). */
export function presentPost(
  post: PostFields,
  author: AuthorFields | undefined,
  extra: { likedByMe?: boolean; analysis?: PostAnalysisView; replyTarget?: ReplyTargetView } = {},
) {
  const target = extra.replyTarget;
  return {
    id: String(post.id),
    threadId: String(post.threadId),
    author: presentAuthor(author),
    body: post.body,
    html: post.html,
    replyTo: post.replyToId ? String(post.replyToId) : undefined,
    // Its floor (楼) in the thread: 1 is the opening post. Absent only for rows written without one.
    floor: post.floor ?? undefined,
    replyToFloor: target?.floor ?? undefined,
    replyToAuthor: target?.author ? presentAuthor(target.author) : undefined,
    mentions: post.mentions,
    likes: post.likeCount,
    likedByMe: extra.likedByMe,
    createdAt: iso(post.createdAt)!,
    editedAt: iso(post.editedAt),
    ...(extra.analysis ? { analysis: extra.analysis } : {}),
  };
}

/** Notification shape. */
export function presentNotification(
  note: Notification,
  related: { actor?: User; thread?: Thread; chapter?: Chapter; sanction?: Sanction },
) {
  return {
    id: String(note.id),
    kind: note.kind,
    actor: related.actor ? presentAuthor(related.actor) : undefined,
    thread: related.thread ? { id: String(related.thread.id), title: related.thread.title } : undefined,
    postId: note.postId ? String(note.postId) : undefined,
    conversationId: note.conversationId ? String(note.conversationId) : undefined,
    chapter: related.chapter ? { slug: related.chapter.slug, name: related.chapter.name } : undefined,
    sanction: related.sanction ? { kind: related.sanction.kind, reason: related.sanction.reason, until: iso(related.sanction.until) } : undefined,
    url: notificationTarget(note, related),
    read: !!note.readAt,
    createdAt: iso(note.createdAt)!,
  };
}

/** The page a notification is about (where opening it leads); null when its text is all there is (a sanction). */
export function notificationTarget(note: Notification, related: { thread?: Thread; chapter?: Chapter }): string | null {
  if (note.kind === 'alert_escalated') return '/desk';
  if (note.kind === 'message' && note.conversationId) return `/messages/${note.conversationId}`;
  if (related.thread) return `/t/${related.thread.id}${note.postId ? `#p${note.postId}` : ''}`;
  if (related.chapter) return `/c/${related.chapter.slug}`;
  return null;
}

export type PresentedPost = ReturnType<typeof presentPost>;
export type PresentedThread = ReturnType<typeof presentThread>;
export type PresentedNotification = ReturnType<typeof presentNotification>;

/** Search hit shape (CONTRACT: Listening): absent fields are left out, not null. */
export function presentSearchHit(hit: SearchHit) {
  return {
    id: hit.id,
    kind: hit.kind,
    text: hit.text,
    highlight: hit.highlight,
    sentiment: hit.sentiment,
    author: hit.author,
    kol: hit.kol,
    chapter: hit.chapter ?? undefined,
    threadId: hit.threadId ?? undefined,
    category: hit.category ?? undefined,
    title: hit.title ?? undefined,
    source: hit.source,
    url: hit.url ?? undefined,
    createdAt: hit.createdAt,
  };
}

/**
 * A forum search hit as everyone sees it (CONTRACT v1.1): a post they may read, never its
 * analysis. `title` is its thread's (`titleHighlight` marks the query's words in it); `opening`
 * marks a thread's opening post (a thread result, linking to the thread); a reply links to its
 * anchor in the thread.
 */
export function presentForumHit(f: ForumHit) {
  const opening = f.opening;
  return {
    id: f.hit.id,
    kind: 'post' as const,
    postId: String(f.postId),
    threadId: String(f.thread.id),
    opening,
    title: f.thread.title,
    titleHighlight: f.thread.titleHighlight,
    text: f.hit.text,
    highlight: f.hit.highlight,
    author: f.author.username,
    displayName: f.author.displayName,
    chapter: f.hit.chapter ?? undefined,
    category: f.hit.category ?? undefined,
    url: opening ? `/t/${f.thread.id}` : `/t/${f.thread.id}#p${f.postId}`,
    createdAt: f.hit.createdAt,
  };
}
export type PresentedForumHit = ReturnType<typeof presentForumHit>;

/** What presenting a console stream item needs besides its analysis. */
export interface ConsoleItemSource {
  text: string;
  displayName: string;
  chapter: { slug: string; name: string } | null;
  url: string | null;
  kol: boolean;
}

const STREAM_TEXT_CHARS = 280;

/** One analysed post or mention as the opinion console's live stream shows it. */
export function presentConsoleItem(item: AnalyzedItem, source: ConsoleItemSource, analyzedAt: Date): ConsoleItem {
  return {
    id: `${item.kind}:${item.id}`,
    kind: item.kind,
    text: source.text.length > STREAM_TEXT_CHARS ? `${source.text.slice(0, STREAM_TEXT_CHARS)}…` : source.text,
    author: { ...(item.kind === 'post' ? { username: item.handle } : {}), handle: item.handle, displayName: source.displayName, followers: item.followers, kol: source.kol },
    chapter: source.chapter,
    source: item.source,
    sentiment: { label: item.label, score: item.score, confidence: item.confidence },
    reasons: item.reasons,
    keywords: item.keywords,
    url: source.url,
    createdAt: item.createdAt,
    analyzedAt: analyzedAt.toISOString(),
  };
}

/** A case on the alert desk (CONTRACT: {id, kind, severity, status, reasons, subject, assignee?, createdAt, slaDueAt}). */
export function presentAlert(alert: Alert, related: { users: Map<number, User>; chapters: Map<number, Chapter> }): DeskAlert {
  const assignee = alert.assigneeId !== null ? related.users.get(alert.assigneeId) : undefined;
  const chapter = alert.chapterId !== null ? related.chapters.get(alert.chapterId) : undefined;
  const subject: DeskAlert['subject'] = {};
  if (alert.postId !== null) subject.postId = String(alert.postId);
  if (alert.mentionId !== null) subject.mentionId = String(alert.mentionId);
  if (alert.threadId !== null) subject.threadId = String(alert.threadId);
  if (chapter) subject.chapter = { slug: chapter.slug, name: chapter.name };
  if (alert.term !== null) subject.term = alert.term;
  if (alert.source !== null) subject.source = alert.source;
  return {
    id: String(alert.id),
    kind: alert.kind,
    kinds: alert.kinds,
    severity: alert.severity,
    status: alert.status,
    title: alert.title,
    // The title without its zh-CN kind prefix ("关键词预警："), for pages that name the kind in their own language.
    subjectTitle: alert.title.includes('：') ? alert.title.slice(alert.title.indexOf('：') + 1) : alert.title,
    reasons: alert.reasons,
    subject,
    ...(assignee ? { assignee: presentAuthor(assignee) } : {}),
    signals: alert.signalCount,
    createdAt: iso(alert.createdAt)!,
    lastSignalAt: iso(alert.lastSignalAt)!,
    slaDueAt: iso(alert.slaDueAt)!,
    escalated: alert.escalatedAt !== null,
    ...(alert.closedAt ? { closedAt: iso(alert.closedAt)! } : {}),
    ...(alert.closingNote ? { closingNote: alert.closingNote } : {}),
    ...(alert.feedback ? { feedback: alert.feedback } : {}),
  };
}

/** A sanction as staff see it (the people pages and API). */
export function presentSanction(s: Sanction, related: { actor?: User; liftedBy?: User } = {}) {
  return {
    id: String(s.id),
    kind: s.kind,
    reason: s.reason,
    until: iso(s.until),
    actor: related.actor ? presentAuthor(related.actor) : undefined,
    createdAt: iso(s.createdAt)!,
    liftedAt: iso(s.liftedAt),
    liftedBy: related.liftedBy ? presentAuthor(related.liftedBy) : undefined,
    liftReason: s.liftReason ?? undefined,
  };
}

/** A member as the people list shows them: the public shape plus standing (staff only). */
export function presentMember(user: User, extra: { postCount?: number; now?: Date } = {}) {
  const standing = standingOf(user, extra.now);
  return {
    ...presentUser(user),
    status: standing.status,
    suspendedUntil: iso(standing.until),
    ...(extra.postCount !== undefined ? { postCount: extra.postCount } : {}),
  };
}
