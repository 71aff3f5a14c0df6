/** The shapes of private conversations and messages, for JSON, pages and sockets alike. */
import type { Conversation, ConversationReport, Message, User } from '../models';
import { presentAuthor, type AuthorFields } from '../presenters';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/** One message; an author whose account is gone shows as the anonymous author. */
export function presentMessage(message: Pick<Message, 'id' | 'conversationId' | 'body' | 'html' | 'createdAt'>, author: AuthorFields | undefined) {
  return {
    id: String(message.id),
    conversationId: String(message.conversationId),
    author: presentAuthor(author),
    body: message.body,
    html: message.html,
    createdAt: iso(message.createdAt)!,
  };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;

/**
 * A conversation: its participants (oldest first) and, in a viewer's list, the last message
 * and how many messages from others they have not read.
 */
export function presentConversation(
  conversation: Conversation,
  participants: AuthorFields[],
  extra: { lastMessage?: PresentedMessage; unread?: number; reported?: boolean } = {},
) {
  return {
    id: String(conversation.id),
    participants: participants.map(presentAuthor),
    lastMessageAt: iso(conversation.lastMessageAt ?? conversation.createdAt)!,
    ...(extra.lastMessage ? { lastMessage: extra.lastMessage } : {}),
    ...(extra.unread !== undefined ? { unread: extra.unread } : {}),
    ...(extra.reported ? { reported: true } : {}),
  };
}

export type PresentedConversation = ReturnType<typeof presentConversation>;

/** A report as moderators see it in the reported-conversations list. */
export function presentConversationReport(report: ConversationReport, reporter: User | undefined) {
  return {
    id: String(report.id),
    conversationId: String(report.conversationId),
    ...(report.messageId ? { messageId: String(report.messageId) } : {}),
    reporter: presentAuthor(reporter),
    reason: report.reason,
    createdAt: iso(report.createdAt)!,
  };
}
