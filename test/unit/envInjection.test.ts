import assert from 'node:assert/strict';
import {
  envFileLocation,
  injectEnv,
  nurseryLensValue,
  parseEnvFile,
  prependPath,
} from '../../extension/debug/envInjection';
import { rulesHidingRuntime } from '../../extension/debug/launchInstrumentation';

const NL = nurseryLensValue({ address: '127.0.0.1:5000', secret: 'ab12', sampleHz: 10 });

describe('debug env injection (PYTHONPATH + NURSERY_LENS)', () => {
  it('NURSERY_LENS is one versioned JSON value', () => {
    assert.deepEqual(JSON.parse(NL), {
      v: 1,
      address: '127.0.0.1:5000',
      secret: 'ab12',
      options: { sample_hz: 10, record: null, max_buffer: 1000000 },
    });
  });

  it('POSIX: bootstrap first, then the config env, the envFile and the inherited PYTHONPATH', () => {
    const env = injectEnv({
      platform: 'linux',
      bootstrapDir: '/ext/runtime/python/bootstrap',
      nurseryLens: NL,
      configEnv: { PYTHONPATH: '/ws/src', DEBUG: '1', REMOVE_ME: null },
      envFileVars: { PYTHONPATH: '/ws/lib:/ws/src', OTHER: 'x' },
      inherited: { PYTHONPATH: '/usr/local/site', HOME: '/root' },
    });
    assert.equal(env.PYTHONPATH, '/ext/runtime/python/bootstrap:/ws/src:/ws/lib:/usr/local/site');
    assert.equal(env.DEBUG, '1');
    assert.equal(env.REMOVE_ME, null, "the user's own values, null included, are kept");
    assert.equal(env.OTHER, undefined, 'envFile values stay in the envFile (the debugger reads it)');
    assert.equal(env.NURSERY_LENS, NL);
  });

  it('POSIX: nothing set anywhere gives just the bootstrap folder', () => {
    const env = injectEnv({ platform: 'darwin', bootstrapDir: '/b', nurseryLens: NL });
    assert.deepEqual(env, { PYTHONPATH: '/b', NURSERY_LENS: NL });
  });

  it('Windows: `;` separator, drive letters intact, case-insensitive names, no duplicate of the bootstrap', () => {
    const env = injectEnv({
      platform: 'win32',
      bootstrapDir: 'C:\\Users\\me\\.vscode\\extensions\\nl\\runtime\\python\\bootstrap',
      nurseryLens: NL,
      configEnv: { PythonPath: 'D:\\proj\\src;C:\\Users\\me\\.vscode\\extensions\\nl\\runtime\\python\\bootstrap\\' },
      envFileVars: { pythonpath: 'D:\\proj\\lib' },
      inherited: { PYTHONPATH: 'C:\\Python311\\site' },
    });
    assert.equal(
      env.PYTHONPATH,
      'C:\\Users\\me\\.vscode\\extensions\\nl\\runtime\\python\\bootstrap;D:\\proj\\src;D:\\proj\\lib;C:\\Python311\\site',
    );
    assert.equal('PythonPath' in env, false, 'one PYTHONPATH key, not two spellings');
  });

  it('POSIX names are case-sensitive: pythonpath is not PYTHONPATH', () => {
    const env = injectEnv({ platform: 'linux', bootstrapDir: '/b', nurseryLens: NL, configEnv: { pythonpath: '/x' } });
    assert.equal(env.PYTHONPATH, '/b');
    assert.equal(env.pythonpath, '/x');
  });

  it('a config env PYTHONPATH of null (unset) drops the inherited one but keeps the envFile one', () => {
    const env = injectEnv({
      platform: 'linux',
      bootstrapDir: '/b',
      nurseryLens: NL,
      configEnv: { PYTHONPATH: null },
      envFileVars: { PYTHONPATH: '/f' },
      inherited: { PYTHONPATH: '/i' },
    });
    assert.equal(env.PYTHONPATH, '/b:/f');
  });

  it('replaces a stale NURSERY_LENS (e.g. from a copied configuration)', () => {
    const env = injectEnv({
      platform: 'linux',
      bootstrapDir: '/b',
      nurseryLens: NL,
      configEnv: { NURSERY_LENS: '{"v":1,"secret":"old"}' },
    });
    assert.equal(env.NURSERY_LENS, NL);
  });

  it('prependPath drops empties and trailing-slash repeats', () => {
    assert.equal(prependPath('/b', ['::/a/:/a', undefined, ''], 'linux'), '/b:/a/');
  });

  it('parses env files like the Python tools do', () => {
    const vars = parseEnvFile(
      [
        '# comment',
        'export PYTHONPATH=${ROOT}/src:${PYTHONPATH}',
        'ROOT=/later',
        'QUOTED="a b\\nc"',
        "SINGLE='${ROOT} stays'",
        'INLINE=value # trailing comment',
        'EMPTY=',
        'not a line',
      ].join('\r\n'),
      { ROOT: '/ws', PYTHONPATH: '/inh' },
    );
    assert.equal(vars.PYTHONPATH, '/ws/src:/inh');
    assert.equal(vars.QUOTED, 'a b\nc');
    assert.equal(vars.SINGLE, '${ROOT} stays');
    assert.equal(vars.INLINE, 'value');
    assert.equal(vars.EMPTY, '');
    assert.equal(Object.keys(vars).length, 6);
  });

  it('finds the env file: explicit (absolute or folder-relative), else <folder>/.env', () => {
    assert.deepEqual(envFileLocation('/ws/conf/dev.env', '/ws', 'linux'), { file: '/ws/conf/dev.env', explicit: true });
    assert.deepEqual(envFileLocation('conf/dev.env', '/ws', 'linux'), { file: '/ws/conf/dev.env', explicit: true });
    assert.deepEqual(envFileLocation(undefined, '/ws', 'linux'), { file: '/ws/.env', explicit: false });
    assert.deepEqual(envFileLocation('', undefined, 'linux'), undefined);
    assert.deepEqual(envFileLocation('D:\\proj\\.env.local', 'C:\\ws', 'win32'), {
      file: 'D:\\proj\\.env.local',
      explicit: true,
    });
    assert.deepEqual(envFileLocation('.env.local', 'C:\\ws', 'win32'), { file: 'C:\\ws\\.env.local', explicit: true });
  });
});

describe("debugpy rules: the runtime's frames are not the user's code", () => {
  const BOOT = '/ext/runtime/python/bootstrap';
  const MINE = { path: '/ext/runtime/python', include: false };
  it('adds the runtime folder (bootstrap and package) as excluded, after the rules the user wrote', () => {
    assert.deepEqual(rulesHidingRuntime(undefined, BOOT), [MINE]);
    const theirs = [{ module: 'requests', include: true }];
    assert.deepEqual(rulesHidingRuntime(theirs, BOOT), [...theirs, MINE]);
    assert.deepEqual(theirs, [{ module: 'requests', include: true }], "the user's list is not changed in place");
  });
  it('leaves a value debugpy would refuse as it was (it says so itself)', () => {
    assert.equal(rulesHidingRuntime('oops', BOOT), 'oops');
  });
});
