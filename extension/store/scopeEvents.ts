// The reducer for cancel-scope events (scope.changed, scope.closed): each
// task row lists the scopes entered in it that have a deadline, a shield or a
// cancel, outer first, with what made each (1.2: asyncio.timeout, wait_for…)
// and where; a scope belongs to one task at a time.
import type { ScopeInfo } from '../../contract/rows';
import type { ScopeChangedEvent, ScopeClosedEvent } from '../../contract/wire';
import type { RunTree } from './runTree';
import { NO_SCOPES } from './rowEntries';

export class ScopeEvents {
  constructor(private readonly tree: RunTree) {}

  changed(e: ScopeChangedEvent): void {
    const tree = this.tree;
    const id = e.id;
    const taskId = e.task;
    const task = tree.tasks.get(taskId);
    if (!task || task.exitedAt !== undefined) return;
    const info: ScopeInfo = { id, deadline: e.deadline, shield: e.shield, cancelCalled: e.cancel_called };
    if (e.reason !== undefined) info.reason = e.reason;
    if (e.kind !== undefined && e.kind !== 'cancel_scope') info.kind = e.kind;
    const prevOwner = tree.scopeOwner.get(id);
    if (prevOwner !== undefined && prevOwner !== taskId) this.drop(prevOwner, id);
    tree.scopeOwner.set(id, taskId);
    const i = task.scopes.findIndex((s) => s.id === id);
    // An absent site is unchanged since the scope's last report.
    const site = e.site === undefined ? (i >= 0 ? task.scopes[i].site : undefined) : tree.site(e.site);
    if (site) info.site = site;
    if (i >= 0) task.scopes[i] = info;
    else if (task.scopes === NO_SCOPES) task.scopes = [info];
    else {
      task.scopes.push(info);
      // Ids grow with entry order, so id order is outer-first.
      if (task.scopes.length > 1) task.scopes.sort((a, b) => a.id - b.id);
    }
    tree.changes.touch(task);
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
    const i = task.scopes.findIndex((s) => s.id === scopeId);
    if (i >= 0) {
      task.scopes.splice(i, 1);
      this.tree.changes.touch(task);
    }
  }
}
