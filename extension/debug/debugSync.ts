// The VS Code side of PauseTracker: a DebugAdapterTracker on Python debug
// sessions hears `stopped`, `continued` and the requests that resume the
// program; the Call Stack's pick arrives as `debug.activeStackItem`; stacks
// come from the session itself (`stackTrace`). Which runs a session may own:
// those of the launch whose secret its configuration (or its root session's)
// carries, narrowed to the process the adapter reported.
import * as vscode from 'vscode';
import { secretInEnvValue } from '../collector/launches';
import type { TaskFocus } from '../panel/taskFocus';
import type { RunStore } from '../store/runStore';
import { PYTHON_DEBUG_TYPES } from './debugProvider';
import { candidatesOf, PauseTracker, type ListedFrame } from './pauseTracker';
import { stackOf } from './stackMatch';

/** Requests after which the program runs (until it stops again). */
const RESUMING = new Set([
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'goto',
  'restartFrame',
  'restart',
  'disconnect',
  'terminate',
]);
/** Frames asked for per stack: deep enough for any await chain (64) and what calls the event loop. */
const STACK_LEVELS = 200;

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  seq?: number;
  request_seq?: number;
  success?: boolean;
  arguments?: { threadId?: unknown };
  body?: {
    threadId?: unknown;
    reason?: unknown;
    systemProcessId?: unknown;
    exitCode?: unknown;
    stackFrames?: unknown;
    preserveFocusHint?: unknown;
  };
}

export interface DebugHooks {
  /** The program of a session exited (DAP `exited`): for DebugSessionWatcher. */
  exited?: (sessionId: string, exitCode: number) => void;
  /**
   * A session stopped, before VS Code hears of it (and opens the stopped line's file; `quiet`: it opens
   * none, the adapter asked it to keep the focus, as debugpy does on a Pause; said only of a session
   * with a run in the store: a Pause elsewhere is VS Code's business).
   */
  stopped?: (quiet: boolean) => void;
  /** The session went on (or ended): a stop's stack still to come is no longer news. */
  resumed?: () => void;
  /**
   * Where the stopped thread's top frame is (the file and line VS Code opens), from the first stack
   * asked for that thread after a stop; undefined when that stack had none.
   */
  stoppedIn?: (at: { file: string; line: number } | undefined) => void;
}

interface DapFrame {
  line?: unknown;
  presentationHint?: unknown;
  source?: { path?: unknown; presentationHint?: unknown };
}

/** The frame VS Code shows of a `stackTrace` response (the first with a file it does not play down): its file and line. */
function topFrame(m: DapMessage): { file: string; line: number } | undefined {
  const frames = m.body?.stackFrames;
  if (!Array.isArray(frames)) return undefined;
  for (const f of frames as Array<DapFrame | null>) {
    const file = f?.source?.path;
    if (f?.presentationHint === 'subtle' || f?.source?.presentationHint === 'deemphasize') continue;
    if (typeof file === 'string' && file) return { file, line: typeof f?.line === 'number' ? f.line : 1 };
  }
  return undefined;
}

export class DebugSync implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: vscode.DebugSession; pid?: number }>();
  private readonly tracker: PauseTracker;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly store: RunStore,
    focus: TaskFocus,
    private readonly log: vscode.LogOutputChannel,
    /** One tracker per session hears for others too. */
    private readonly hooks: DebugHooks = {},
  ) {
    this.tracker = new PauseTracker({
      stack: (id, threadId) => this.stack(id, threadId),
      candidates: (id) => this.candidates(id),
      focus,
      log,
    });
    const factory: vscode.DebugAdapterTrackerFactory = { createDebugAdapterTracker: (s) => this.trackerFor(s) };
    for (const type of PYTHON_DEBUG_TYPES)
      this.subscriptions.push(vscode.debug.registerDebugAdapterTrackerFactory(type, factory));
    this.subscriptions.push(
      vscode.debug.onDidChangeActiveStackItem((item) => this.picked(item)),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended(s.id)),
      new vscode.Disposable(store.onDidChange(() => this.tracker.storeChanged()).dispose),
    );
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    this.sessions.set(session.id, { session });
    const fail = (err: unknown) => this.log.warn(`debugger sync: ${String(err)}`);
    // A stop's first stack of its thread names the file VS Code opens: the stopped thread, then that request.
    let stopThread: number | 'any' | undefined; // ('any': a stop that names no thread)
    let stackSeq: number | undefined;
    return {
      onDidSendMessage: (m: DapMessage) => {
        if (
          m.type === 'response' &&
          m.command === 'stackTrace' &&
          stackSeq !== undefined &&
          m.request_seq === stackSeq
        ) {
          stackSeq = undefined;
          this.hooks.stoppedIn?.(m.success ? topFrame(m) : undefined);
        }
        if (m.type !== 'event') return;
        if (m.event === 'stopped') {
          this.hooks.stopped?.(m.body?.preserveFocusHint === true && this.candidates(session.id).length > 0);
          const threadId = typeof m.body?.threadId === 'number' ? m.body.threadId : undefined;
          stopThread = threadId ?? 'any';
          stackSeq = undefined;
          this.tracker
            .stopped(session.id, threadId, typeof m.body?.reason === 'string' ? m.body.reason : 'paused')
            .catch(fail);
        } else if (m.event === 'continued' || m.event === 'terminated' || m.event === 'exited') {
          [stopThread, stackSeq] = [undefined, undefined];
          this.hooks.resumed?.();
          this.tracker.resumed(session.id);
          if (m.event === 'exited' && typeof m.body?.exitCode === 'number')
            this.hooks.exited?.(session.id, m.body.exitCode);
        } else if (m.event === 'process' && typeof m.body?.systemProcessId === 'number') {
          const known = this.sessions.get(session.id);
          if (known) known.pid = m.body.systemProcessId;
        }
      },
      onWillReceiveMessage: (m: DapMessage) => {
        if (m.type === 'request' && m.command === 'stackTrace' && stopThread !== undefined) {
          const mine = stopThread === 'any' || m.arguments?.threadId === stopThread;
          if (mine && typeof m.seq === 'number') [stackSeq, stopThread] = [m.seq, undefined];
        }
        // Adapters need not say `continued` after a continue they were asked for.
        if (m.type === 'request' && m.command && RESUMING.has(m.command)) {
          [stopThread, stackSeq] = [undefined, undefined];
          this.hooks.resumed?.();
          this.tracker.resumed(session.id);
        }
      },
      onExit: () => this.ended(session.id),
    };
  }

  private ended(id: string): void {
    this.tracker.resumed(id);
    this.sessions.delete(id);
  }

  private picked(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): void {
    const frameId = item instanceof vscode.DebugStackFrame ? item.frameId : undefined;
    const target =
      item && this.sessions.has(item.session.id)
        ? { session: item.session.id, threadId: item.threadId, frameId }
        : undefined;
    this.tracker.stackItem(target).catch((err: unknown) => this.log.debug(`debugger sync: ${String(err)}`));
  }

  private async stack(id: string, threadId: number): Promise<ListedFrame[]> {
    const session = this.sessions.get(id)?.session;
    if (!session) return [];
    const answer = (await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: STACK_LEVELS })) as
      { stackFrames?: Array<{ id: number; line?: number; source?: { path?: string } }> } | undefined;
    const frames = answer?.stackFrames ?? [];
    const listed = stackOf(frames);
    return frames.map((f, i) => ({ id: f.id, frame: listed[i] }));
  }

  private candidates(id: string) {
    const known = this.sessions.get(id);
    if (!known) return [];
    let root: vscode.DebugSession = known.session;
    for (let depth = 0; root.parentSession && depth < 20; depth++) root = root.parentSession;
    const env = root.configuration.env as Record<string, unknown> | undefined;
    const secret = secretInEnvValue(env?.NURSERY_LENS);
    if (!secret) return [];
    return candidatesOf(
      this.store.all().filter((e) => e.launchKey === secret),
      known.pid,
    );
  }

  dispose(): void {
    this.tracker.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
