// What every instrumented launch (debug session or terminal run) needs: a
// running collector, a launch with its own secret, and the env that carries
// both to the program. No vscode import: the settings arrive as values.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CollectorServer } from '../collector/collectorServer';
import type { Launch, LaunchRegistry } from '../collector/launches';
import { injectEnv, nurseryLensValue, type EnvMap, type NurseryLensConfig } from './envInjection';

export interface InstrumentationDeps {
  collector: Pick<CollectorServer, 'start'>;
  launches: LaunchRegistry;
  /** <extension>/runtime/python/bootstrap */
  bootstrapDir: string;
  platform?: string;
  inherited?: Record<string, string | undefined>;
}

export interface InstrumentedLaunch {
  launch: Launch;
  env: Record<string, string | null>;
}

export async function instrumentLaunch(
  deps: InstrumentationDeps,
  request: {
    label: string;
    kind: Launch['kind'];
    sampleHz: number;
    configEnv?: EnvMap;
    envFileVars?: Record<string, string>;
    lints?: NurseryLensConfig['lints'];
  },
): Promise<InstrumentedLaunch> {
  if (!existsSync(deps.bootstrapDir)) {
    throw new Error(`the runtime's bootstrap folder is missing (${deps.bootstrapDir}); reinstall the extension`);
  }
  const address = await deps.collector.start();
  const launch = deps.launches.create(request.label, request.kind);
  const env = injectEnv({
    platform: deps.platform ?? process.platform,
    bootstrapDir: deps.bootstrapDir,
    nurseryLens: nurseryLensValue({ address, secret: launch.secret, sampleHz: request.sampleHz, lints: request.lints }),
    configEnv: request.configEnv,
    envFileVars: request.envFileVars,
    inherited: deps.inherited ?? process.env,
  });
  return { launch, env };
}

/**
 * The debugger's `rules` with the runtime's folder (the bootstrap and the
 * package beside it) left out of the user's code: with justMyCode, a step
 * or a pause never stops in the runtime's frames (it is not installed in
 * site-packages, so debugpy would take it for the user's). The user's own
 * rules stay first; a value debugpy would refuse is left alone.
 */
export function rulesHidingRuntime(rules: unknown, bootstrapDir: string): unknown {
  if (rules !== undefined && !Array.isArray(rules)) return rules;
  return [...(rules ?? []), { path: dirname(bootstrapDir), include: false }];
}
