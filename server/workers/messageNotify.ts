/** After a private message commits: notify its recipients (grouped per conversation when shown). */
import type { Processor } from './dispatcher';
import { notifyForMessage } from '../services/notifications';

export const messageNotifyProcessor: Processor<'message.created'> = {
  name: 'notify-messages',
  handles: ['message.created'],
  async handle(event) {
    await notifyForMessage(event);
  },
};
