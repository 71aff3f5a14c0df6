/**
 * Composer tools: images by button, paste or drop (uploaded to /api/v1/uploads, inserted as
 * Markdown at the cursor) and the sticker picker (inserts the `[code]`). Forms work without it.
 */
import { t } from './i18n';
import { send } from './api';

const IMAGE_TYPES = /^image\/(jpeg|png|webp|gif)$/;

/** Insert text at the cursor (replacing the selection) and tell listeners (drafts) it changed. */
function insertAtCursor(textarea: HTMLTextAreaElement, text: string): void {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.setRangeText(text, start, end, 'end');
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
  textarea.focus();
}

/** An image on a line of its own: a newline before it unless the cursor starts a line. */
function imageMarkdown(textarea: HTMLTextAreaElement, markdown: string): string {
  const before = textarea.value.slice(0, textarea.selectionStart ?? 0);
  return `${before && !before.endsWith('\n') ? '\n' : ''}${markdown}\n`;
}

async function uploadImage(file: File): Promise<string> {
  const body = new FormData();
  body.append('file', file, file.name || 'image');
  return (await send<{ upload: { markdown: string } }>('POST', '/api/v1/uploads', body)).upload.markdown;
}

function enhance(tools: HTMLElement): void {
  const form = tools.closest('form');
  const textarea = form?.querySelector<HTMLTextAreaElement>('textarea');
  if (!form || !textarea) return;
  // With the composer enhanced, the buttons join its toolbar (beside 编辑/预览) instead of
  // sitting under the text box; without it they stay where the server put them.
  form.querySelector('.composer-bar .composer-tools')?.append(tools);
  const input = tools.querySelector<HTMLInputElement>('[data-upload-input]')!;
  const status = tools.querySelector<HTMLElement>('[data-upload-status]')!;
  const panel = tools.querySelector<HTMLElement>('[data-sticker-panel]')!;
  const stickerButton = tools.querySelector<HTMLButtonElement>('[data-sticker-button]')!;

  async function uploadAll(files: File[]) {
    for (const file of files) {
      status.classList.remove('error');
      status.textContent = t('composer.uploading');
      try {
        insertAtCursor(textarea!, imageMarkdown(textarea!, await uploadImage(file)));
        status.textContent = '';
      } catch (err) {
        status.classList.add('error');
        status.textContent = t('composer.uploadFailed', { message: (err as Error).message });
      }
    }
  }
  const images = (list: FileList | null | undefined) => [...(list ?? [])].filter((f) => IMAGE_TYPES.test(f.type) || f.type === '');

  tools.querySelector('[data-upload-button]')!.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    void uploadAll([...(input.files ?? [])]);
    input.value = '';
  });
  textarea.addEventListener('paste', (e) => {
    const files = images(e.clipboardData?.files);
    if (files.length === 0) return; // plain text pastes as usual
    e.preventDefault();
    void uploadAll(files);
  });
  textarea.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    textarea.classList.add('drop-target');
  });
  textarea.addEventListener('dragleave', () => textarea.classList.remove('drop-target'));
  textarea.addEventListener('drop', (e) => {
    textarea.classList.remove('drop-target');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    void uploadAll(files);
  });

  const setOpen = (open: boolean) => {
    panel.hidden = !open;
    stickerButton.setAttribute('aria-expanded', String(open));
  };
  stickerButton.addEventListener('click', () => setOpen(panel.hidden));
  panel.addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-code]');
    if (!button) return;
    insertAtCursor(textarea, button.dataset.code!);
    setOpen(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) setOpen(false);
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !tools.contains(e.target as Node)) setOpen(false);
  });
}

/** Enhance every composer's media tools (images, stickers) on the page. */
export function enhanceComposerMedia(root: Document): void {
  root.querySelectorAll<HTMLElement>('[data-composer-tools]').forEach(enhance);
}
