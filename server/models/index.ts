/** Binds every model to a Sequelize instance. Associations are avoided on purpose: services load what they need explicitly. */
import type { Sequelize } from 'sequelize';
import { User } from './User';
import { Credential } from './Credential';
import { Chapter } from './Chapter';
import { Membership } from './Membership';
import { Category } from './Category';
import { Thread } from './Thread';
import { Post } from './Post';
import { Like } from './Like';
import { Flag } from './Flag';
import { Notification } from './Notification';
import { OutboxEvent } from './OutboxEvent';
import { ProcessorCursor } from './ProcessorCursor';
import { DeadEvent } from './DeadEvent';
import { AuditEntry } from './AuditEntry';
import { Mention } from './Mention';
import { Analysis } from './Analysis';
import { DictionaryWord } from './DictionaryWord';
import { Setting } from './Setting';
import { MemberTag } from './MemberTag';
import { Alert, AlertSignal, CannedResponse } from './Alert';
import { Webhook } from './Webhook';
import { WebhookDelivery } from './WebhookDelivery';
import { Sanction } from './Sanction';
import { SentimentLabel } from './SentimentLabel';
import { Upload } from './Upload';
import { MemberProfile } from './MemberProfile';
import { Conversation, ConversationParticipant, ConversationReport, Message } from './Conversation';
import { Block } from './Block';

const all = [User, Credential, Chapter, Membership, Category, Thread, Post, Like, Flag, Notification, OutboxEvent, ProcessorCursor, DeadEvent, AuditEntry, Mention, Analysis, DictionaryWord, Setting, MemberTag, Alert, AlertSignal, CannedResponse, Webhook, WebhookDelivery, Sanction, SentimentLabel, Upload, MemberProfile, Conversation, ConversationParticipant, Message, ConversationReport, Block];

/** Initialise every model on this connection. */
export function initModels(sequelize: Sequelize): void {
  for (const model of all) model.initModel(sequelize);
}

export { User, Credential, Chapter, Membership, Category, Thread, Post, Like, Flag, Notification, OutboxEvent, ProcessorCursor, DeadEvent, AuditEntry, Mention, Analysis, DictionaryWord, Setting, MemberTag, Alert, AlertSignal, CannedResponse, Webhook, WebhookDelivery, Sanction, SentimentLabel, Upload, MemberProfile, Conversation, ConversationParticipant, Message, ConversationReport, Block };
