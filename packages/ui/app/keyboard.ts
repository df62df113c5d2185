import { href, navigate } from './router.js';

const GO: Record<string, () => string> = { s: href.services, n: href.nodes, k: () => href.kv(''), c: href.cluster };

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Moves the focus to the next (+1) or previous (-1) row link of the current list. */
function moveRow(step: number): void {
  const rows = [...document.querySelectorAll<HTMLElement>('main [data-row]')];
  if (rows.length === 0) return;
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next = at === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + step));
  rows[next]?.focus();
  rows[next]?.scrollIntoView({ block: 'nearest' });
}

/**
 * Keyboard shortcuts: `/` search, `j`/`k` (or arrows) move between rows and Enter opens one,
 * `g` then `s`/`n`/`k`/`c` go to Services, Nodes, Key/Value, Cluster; `?` toggles the help;
 * Escape leaves a field.
 */
export function installKeyboard(toggleHelp: () => void): () => void {
  let pendingG = false;
  const onKey = (e: KeyboardEvent): void => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === 'Escape') (e.target as HTMLElement).blur();
      return;
    }
    if (pendingG) {
      pendingG = false;
      const to = GO[e.key];
      if (to) {
        e.preventDefault();
        navigate(to());
      }
      return;
    }
    switch (e.key) {
      case '/': {
        const search = document.querySelector<HTMLInputElement>('main [data-search]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
        break;
      }
      case 'j':
      case 'ArrowDown':
        e.preventDefault();
        moveRow(1);
        break;
      case 'k':
      case 'ArrowUp':
        e.preventDefault();
        moveRow(-1);
        break;
      case 'g':
        pendingG = true;
        break;
      case '?':
        toggleHelp();
        break;
    }
  };
  addEventListener('keydown', onKey);
  return () => removeEventListener('keydown', onKey);
}
