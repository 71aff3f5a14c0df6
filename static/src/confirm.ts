/** Forms with data-confirm ask before submitting (CSP forbids inline onclick handlers). */
export function enhanceConfirmations(root: ParentNode): void {
  root.querySelectorAll<HTMLFormElement>('form[data-confirm]').forEach((form) => {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm ?? '')) event.preventDefault();
    });
  });
}
