/** "Someone is typing" in a thread or a conversation: who is shown, and when to announce oneself. */
import { t } from './i18n';

/** The names shown in `el`, each until its expiry unless renewed. */
export function typingIndicator(el: HTMLElement | null) {
  const typists = new Map<string, { name: string; timer: number }>();
  const render = () => {
    if (!el) return;
    const names = [...typists.values()].map((x) => x.name);
    el.textContent = names.length ? t('thread.typing', { names: names.join('、') }) : '';
  };
  const clear = (username: string) => {
    const entry = typists.get(username);
    if (!entry) return;
    window.clearTimeout(entry.timer);
    typists.delete(username);
    render();
  };
  return {
    show(username: string, name: string, expiresInMs: number) {
      clear(username);
      typists.set(username, { name, timer: window.setTimeout(() => clear(username), expiresInMs) });
      render();
    },
    clear,
  };
}

/** Call `announce` while the member types in `textarea`, at most every 2 s (the server absorbs more). */
export function announceTyping(textarea: HTMLTextAreaElement, announce: () => void): void {
  let last = 0;
  textarea.addEventListener('input', () => {
    if (Date.now() - last < 2_000) return;
    last = Date.now();
    announce();
  });
}
