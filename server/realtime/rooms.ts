/** Namespace names: `/` for members' live threads, then one per staff tool. */
export const namespaces = { main: '/', console: '/console', desk: '/desk' } as const;

/** Room names: the only place they are built. */
export const rooms = {
  thread: (threadId: number | string) => `thread:${threadId}`,
  chapter: (chapterId: number | string) => `chapter:${chapterId}`,
  conversation: (conversationId: number | string) => `conversation:${conversationId}`,
  user: (userId: number | string) => `user:${userId}`,
  console: () => 'console',
  desk: () => 'desk',
};

/** The thread id of a thread room name, or null. */
export function threadIdOfRoom(room: string): string | null {
  return room.startsWith('thread:') ? room.slice('thread:'.length) : null;
}
