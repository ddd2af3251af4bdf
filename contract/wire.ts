// Wire protocol v1 in TypeScript: one type per event. runtime/protocol/
// events.schema.json is the source of truth; test/unit/protocolDrift.test.ts
// fails when these types, the collector's validator and the schema disagree.
// Part of the contract shared by host and webview: imports nothing.

export const PROTOCOL_MAJOR = 1;
/** The newest minor this reader knows (1.1: snapshots may follow `dropped` within a connection). */
export const PROTOCOL_MINOR = 1;
/** No line is longer than this (bytes, without the newline). */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface WireSite { file: string; line: number; function: string }
export interface WireError { type: string; message: string; exceptions?: WireError[] }
export type WireOutcome = 'returned' | 'raised' | 'cancelled';

interface RunEvent { run: number; ts: number }

export interface HelloEvent {
  type: 'hello'; protocol: 1; minor: number; secret?: string; runtime: 'trio'; runtime_version: string;
  lens_version: string; python: string; pid: number; argv: string[]; cwd: string; instance: string; reconnect?: number;
}
export interface RunStartedEvent extends RunEvent { type: 'run.started'; wall: number; resumed?: boolean }
export interface RunFinishedEvent extends RunEvent { type: 'run.finished'; outcome: WireOutcome; error?: WireError }
export interface TaskSpawnedEvent extends RunEvent {
  type: 'task.spawned'; id: number; name: string; nursery: number | null; system: boolean; main?: boolean; site: WireSite | null;
}
export interface TaskMovedEvent extends RunEvent { type: 'task.moved'; id: number; nursery: number }
export interface TaskStateEvent extends RunEvent {
  type: 'task.state'; id: number; state: 'running' | 'scheduled' | 'waiting'; at?: WireSite | null;
}
export interface TaskExitedEvent extends RunEvent {
  type: 'task.exited'; id: number; outcome: WireOutcome; error?: WireError;
  cancel?: { source?: 'deadline' | 'explicit' | 'nursery' | 'interrupt' | 'unknown'; reason?: string; by?: number };
}
export interface NurseryOpenedEvent extends RunEvent {
  type: 'nursery.opened'; id: number; task: number; site: WireSite | null; system?: boolean; start?: boolean;
}
export interface NurseryClosedEvent extends RunEvent { type: 'nursery.closed'; id: number }
export interface ScopeChangedEvent extends RunEvent {
  type: 'scope.changed'; id: number; task: number; deadline: number | null; shield: boolean; cancel_called: boolean; reason?: string;
}
export interface ScopeClosedEvent extends RunEvent { type: 'scope.closed'; id: number }
export interface DroppedEvent { type: 'dropped'; run?: number; ts: number; count: number; total: number }
export interface SnapshotBeginEvent extends RunEvent { type: 'snapshot.begin' }
export interface SnapshotEndEvent extends RunEvent { type: 'snapshot.end' }
export interface RuntimeDisabledEvent { type: 'runtime.disabled'; reason: string; ts?: number }

export type WireEvent =
  | HelloEvent | RunStartedEvent | RunFinishedEvent | TaskSpawnedEvent | TaskMovedEvent | TaskStateEvent
  | TaskExitedEvent | NurseryOpenedEvent | NurseryClosedEvent | ScopeChangedEvent | ScopeClosedEvent
  | DroppedEvent | SnapshotBeginEvent | SnapshotEndEvent | RuntimeDisabledEvent;
export type WireEventType = WireEvent['type'];
