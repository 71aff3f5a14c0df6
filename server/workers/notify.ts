/** After a post commits: notify the members it mentions and the author it replies to. */
import type { Processor } from './dispatcher';
import { notifyForPost } from '../services/notifications';

export const notifyProcessor: Processor<'post.created'> = {
  name: 'notify',
  handles: ['post.created'],
  async handle(event) {
    // Most posts mention nobody and reply to no one: nothing to read. (Older events lack the count.)
    if (event.mentions === 0 && !event.replyToId) return;
    await notifyForPost(event.postId);
  },
};
