// The reducer for cancel-scope events (scope.changed, scope.closed): each
// task row lists the scopes entered in it that have a deadline, a shield or a
// cancel, outer first, with what made each (1.2: asyncio.timeout, wait_for…,
// move_on_after…), where, and why it was cancelled; a scope belongs to one
// task at a time.
import type { ScopeInfo } from '../../contract/rows';
import type { ScopeChangedEvent, ScopeClosedEvent } from '../../contract/wire';
import type { RunTree } from './runTree';
import { causeOf } from './causes';
import { clip, MAX_TEXT, NO_SCOPES } from './rowEntries';
import { REFUSED, type Refusal } from './refusals';

/**
 * Scopes kept per task. A task nests a handful; a stream whose scope.closed
 * never come (lost lines, or hostile) must not grow one row without bound:
 * every event of that task would copy them all to the panel.
 */
export const MAX_SCOPES_PER_TASK = 64;

export class ScopeEvents {
  constructor(private readonly tree: RunTree) {}

  changed(e: ScopeChangedEvent): Refusal | undefined {
    const tree = this.tree;
    const id = e.id;
    const taskId = e.task;
    const task = tree.tasks.get(taskId);
    if (!task || task.exitedAt !== undefined) return undefined;
    const info: ScopeInfo = { id, deadline: e.deadline, shield: e.shield, cancelCalled: e.cancel_called };
    if (e.reason !== undefined) info.reason = clip(e.reason, MAX_TEXT);
    if (e.kind !== undefined && e.kind !== 'cancel_scope') info.kind = e.kind;
    const prevOwner = tree.scopeOwner.get(id);
    if (prevOwner !== undefined && prevOwner !== taskId) this.drop(prevOwner, id);
    tree.scopeOwner.set(id, taskId);
    tree.changes.touch(task);
    const scopes = task.scopes;
    const i = indexOf(scopes, id);
    // An absent site is unchanged since the scope's last report.
    const site = e.site === undefined ? (i >= 0 ? scopes[i].site : undefined) : tree.site(e.site);
    if (site) info.site = site;
    // What made it and why it was cancelled: absent = as last reported.
    const call = e.call !== undefined ? clip(e.call, 64) : i >= 0 ? scopes[i].call : undefined;
    if (call !== undefined) info.call = call;
    const cause = e.cause !== undefined ? causeOf(tree, e.cause) : i >= 0 ? scopes[i].cause : undefined;
    if (cause !== undefined && e.cancel_called) info.cause = cause;
    if (i >= 0) scopes[i] = info;
    else if (scopes === NO_SCOPES) task.scopes = [info];
    else {
      // Ids grow with entry order, so id order is outer-first: a new scope nearly always goes last.
      let at = scopes.length;
      while (at > 0 && scopes[at - 1].id > id) at--;
      scopes.splice(at, 0, info);
      if (scopes.length > MAX_SCOPES_PER_TASK) {
        tree.scopeOwner.delete(scopes.shift()!.id);
        return REFUSED.tooManyScopes;
      }
    }
    return undefined;
  }

  closed(e: ScopeClosedEvent): void {
    const owner = this.tree.scopeOwner.get(e.id);
    if (owner === undefined) return;
    this.tree.scopeOwner.delete(e.id);
    this.drop(owner, e.id);
  }

  private drop(taskId: number, scopeId: number): void {
    const task = this.tree.tasks.get(taskId);
    if (!task) return;
    const i = indexOf(task.scopes, scopeId);
    if (i >= 0) {
      task.scopes.splice(i, 1);
      this.tree.changes.touch(task);
    }
  }
}

function indexOf(scopes: readonly ScopeInfo[], id: number): number {
  for (let i = 0; i < scopes.length; i++) if (scopes[i].id === id) return i;
  return -1;
}
