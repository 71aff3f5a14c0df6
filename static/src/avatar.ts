/** The settings page's avatar: upload an image, make it the avatar (PATCH /api/v1/me), or drop it. */
import { send } from './api';

/** Wire the avatar section of /settings, if the page has one. */
export function enhanceAvatarForm(root: Document): void {
  const section = root.querySelector<HTMLElement>('[data-avatar-form]');
  if (!section) return;
  const input = section.querySelector<HTMLInputElement>('[data-avatar-input]')!;
  const status = section.querySelector<HTMLElement>('[data-avatar-status]')!;
  const setAvatar = async (avatarUploadId: string | null) => {
    await send('PATCH', '/api/v1/me', { avatarUploadId });
    location.assign('/settings?saved=avatar');
  };
  const fail = (err: unknown) => {
    status.classList.add('error');
    status.textContent = (err as Error).message;
  };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name || 'avatar');
    try {
      const { upload } = await send<{ upload: { id: string } }>('POST', '/api/v1/uploads', form);
      await setAvatar(upload!.id);
    } catch (err) {
      fail(err);
    }
  });
  section.querySelector('[data-avatar-remove]')?.addEventListener('click', () => setAvatar(null).catch(fail));
}
