/** After a post commits: notify the members it mentions and the author it replies to. */
import type { Processor } from './dispatcher';
import { notifyForPost } from '../services/notifications';

export const notifyProcessor: Processor<'post.created'> = {
  name: 'notify',
  handles: ['post.created'],
  async handle(event) {
    await notifyForPost(event.postId);
  },
};
