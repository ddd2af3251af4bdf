// Back in the panel by keyboard (Ctrl+1/Ctrl+2, its tab, Show Task Tree),
// VS Code focuses the page itself: the focus sat on <body>, where the arrow
// keys do nothing, and the tree was nine Tabs away (a keyboard-only user's
// pass). It goes back where it was in the page, else to the tree; not when
// the user came back with the pointer (a click on text selects it, and a
// selection stays where it is).

type Focusable = HTMLElement | SVGElement;

/** A pointer press this recent brought the page its focus. */
const POINTER_MS = 500;

export function focusOnReturn(fallback: Focusable): void {
  let last: Focusable | null = null;
  let pressed = -Infinity;
  document.addEventListener('focusin', (e) => {
    const t = e.target;
    if ((t instanceof HTMLElement || t instanceof SVGElement) && t !== document.body) last = t;
  });
  document.addEventListener('pointerdown', () => (pressed = performance.now()), true);
  window.addEventListener('focus', () => {
    // After the browser has placed the focus: a click puts it on what it hit.
    setTimeout(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      if (performance.now() - pressed < POINTER_MS || !(document.getSelection()?.isCollapsed ?? true)) return;
      if (last?.isConnected) last.focus({ preventScroll: true });
      if (document.activeElement === document.body || !document.activeElement) fallback.focus({ preventScroll: true });
    }, 0);
  });
}
