// The collector under attack, in its own process (so that its memory and CPU
// are measured apart from the attacker's): a real CollectorServer, started
// through fork() by collectorClient.ts (the hostile-input suite, bench:abuse).
// It answers the parent's IPC requests: `launch` (a launch and the env a program needs), `stats` (RSS now and peak
// since the last reset, CPU, log lines by level, runs by label), `reset`,
// `exit` (closes the collector, answers with the last stats).
import { join } from 'node:path';
import { CollectorServer } from '../../extension/collector/collectorServer';
import { LaunchRegistry } from '../../extension/collector/launches';
import { RunStore } from '../../extension/store/runStore';
import { instrumentLaunch } from '../../extension/debug/launchInstrumentation';

const root = join(__dirname, '..', '..');
const counts = { info: 0, warn: 0, error: 0 };
const log = {
  info: () => {
    counts.info++;
  },
  warn: () => {
    counts.warn++;
  },
  error: () => {
    counts.error++;
  },
};
const store = new RunStore();
const launches = new LaunchRegistry();
const server = new CollectorServer({ store, launches, log });

let peak = 0;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage.rss());
};
setInterval(sample, 5).unref();

function stats() {
  sample();
  const cpu = process.cpuUsage();
  return {
    rss: process.memoryUsage.rss(),
    peak,
    cpuMs: (cpu.user + cpu.system) / 1000,
    log: { ...counts },
    runs: store.all().map((e) => ({ label: e.state.info().label, status: e.state.info().status })),
    connections: server.connectionCount,
  };
}

type Request = { id: number; kind: 'launch' | 'stats' | 'reset' | 'exit'; label?: string };

process.on('message', (raw) => {
  const req = raw as Request;
  void (async () => {
    let body: unknown;
    if (req.kind === 'launch') {
      const { env } = await instrumentLaunch(
        {
          collector: server,
          launches,
          bootstrapDir: join(root, 'runtime', 'python', 'bootstrap'),
          inherited: { PYTHONPATH: undefined },
        },
        { label: req.label ?? 'real', kind: 'terminal', sampleHz: 10 },
      );
      body = { env };
    } else if (req.kind === 'stats') {
      body = stats();
    } else if (req.kind === 'reset') {
      global.gc?.();
      peak = process.memoryUsage.rss();
      counts.info = counts.warn = counts.error = 0;
      body = {};
    } else {
      await server.close();
      process.send!({ id: req.id, body: stats() }, () => process.exit(0));
      return;
    }
    process.send!({ id: req.id, body });
  })();
});

void server.start().then((address) => process.send!({ id: 0, body: { address } }));
