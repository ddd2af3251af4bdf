// Back in the panel by keyboard (Ctrl+1/Ctrl+2, its tab, Show Task Tree),
// VS Code focuses the page itself: the focus sat on <body>, where the arrow
// keys do nothing, and the tree was nine Tabs away (a keyboard-only user's
// pass). It goes back where it was in the page, else to the tree.

type Focusable = HTMLElement | SVGElement;

export function focusOnReturn(fallback: Focusable): void {
  let last: Focusable | null = null;
  document.addEventListener('focusin', (e) => {
    const t = e.target;
    if ((t instanceof HTMLElement || t instanceof SVGElement) && t !== document.body) last = t;
  });
  window.addEventListener('focus', () => {
    // After the browser has placed the focus: a click puts it on what it hit.
    setTimeout(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      if (last?.isConnected) last.focus({ preventScroll: true });
      if (document.activeElement === document.body || !document.activeElement) fallback.focus({ preventScroll: true });
    }, 0);
  });
}
