// Why the reducer refused (or cut) an event: RunState.apply returns one of
// these, the run's problems list it once, the reader logs it once per kind.
export const REFUSED = {
  cycle: 'an event that would put a task or nursery below itself (a cycle) was ignored',
  duplicateId: 'an event that would give one id to a task and a nursery was ignored',
  wrongKind: 'an event naming a task where a nursery belongs (or a nursery where a task belongs) was ignored',
  cancelCycle: 'a cancel.by that would make tasks cancel each other in a circle was ignored',
  collectorsLine:
    'a run.stopped line (written only into saved recordings, by the collector) came from a program and was ignored',
  afterFinish: 'events that came after their run finished were ignored',
  tooManyScopes: 'a task reported more cancel scopes at once than are kept; its oldest were let go',
} as const;
export type Refusal = (typeof REFUSED)[keyof typeof REFUSED];
