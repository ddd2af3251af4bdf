// The view from before the details pane took room beside (or under) the
// tree, put back when the pane closes. Opening the pane narrows the tree
// area and the page pans the selected task into view; a click on a task
// already made the view the user's (FrameLoop.viewTaken), so the resize of
// the pane's closing chose nothing again and that pan outlived the pane: the
// root stayed cut at the left with the right of the area empty. Only the
// page may have moved the view meanwhile (that pan, Follow's, a revealed
// selection); a pan, zoom, Fit or reshape of the user's keeps their view.
import type { Transform } from './viewState';

interface Kept {
  t: Transform;
  width: number;
  height: number;
}

export class ViewBeforeDetails {
  private kept: Kept | null = null;
  private shown = false;
  /** The pane closed: the next resize may put the view back. */
  private closed = false;

  /**
   * In a frame, after the pane was drawn: `shown` whether it is on screen;
   * `t` and `size` the view and the tree area's size until now (null: the
   * run has no view yet, so there is none to keep).
   */
  drawn(shown: boolean, view: { t: Transform; width: number; height: number } | null): void {
    if (shown === this.shown) return;
    this.shown = shown;
    this.closed = !shown && this.kept !== null;
    if (shown)
      this.kept = view && { t: { x: view.t.x, y: view.t.y, k: view.t.k }, width: view.width, height: view.height };
  }

  /** The user moved the view, or another first view was chosen: nothing to put back. */
  forget(): void {
    this.kept = null;
    this.closed = false;
  }

  /**
   * The tree area changed size: after the pane closed, the view it had
   * before the pane opened, when the area has that size again (a panel
   * resized meanwhile keeps the view it has). Asked once per closing.
   */
  putBack(size: { width: number; height: number }): Transform | null {
    if (!this.closed) return null;
    const kept = this.kept!;
    this.forget();
    return Math.abs(size.width - kept.width) <= 1 && Math.abs(size.height - kept.height) <= 1 ? kept.t : null;
  }
}
