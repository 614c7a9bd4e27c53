import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { VuChannel } from '../../actions/lib/load/builtin/channel.js';
import { createModules, namedExports } from '../../actions/lib/load/builtin/vu/modules.js';
import { VuState } from '../../actions/lib/load/builtin/vu/state.js';
import { warmUp } from '../../actions/lib/load/builtin/vu/warm-up.js';
import { vuWorkerFile } from '../../actions/lib/load/builtin/vu-handle.js';

describe('modules a k6 script can import on the builtin engine', () => {
  it('declare exactly the named exports the VU builds (k6/execution: default only)', () => {
    // Building the modules touches no channel: only their calls do.
    const modules = createModules(new VuState(1, undefined as unknown as VuChannel), () => ({}));
    for (const [name, module] of Object.entries(modules)) {
      const declared = [...namedExports[name as keyof typeof namedExports]].sort();
      const built = name === 'k6/execution' ? [] : Object.keys(module).sort();
      assert.deepEqual(declared, built, name);
    }
  });

  it('leave node:crypto unloaded until a script uses it (it costs every VU thread ~2 ms at start)', async () => {
    const worker = await readFile(await vuWorkerFile(), 'utf8');
    assert.doesNotMatch(worker, /from\s*["']node:crypto["']|require\(["']node:crypto["']\)/);
  });
});

describe('the warm-up dry run of a VU before it reports ready', () => {
  /** A channel that is never interrupted and fails the test if the dry run sends or waits on it. */
  const noChannel = new Proxy({} as VuChannel, {
    get(_, name) {
      if (name === 'interrupted') return false;
      throw new Error(`the dry run touched the channel (${String(name)})`);
    },
  });

  it("runs the VU's HTTP request, check and sleep without sending anything and leaves its state as it was", () => {
    const vu = new VuState(3, noChannel);
    const modules = createModules(vu, () => ({ throw: true, discardResponseBodies: true }));
    const initSamples = vu.samples;
    let answered = 0;
    const http = modules['k6/http'] as { request(method: string, url: string): { status: number } };
    const request = http.request;
    http.request = (method, url) => {
      const response = request(method, url);
      if (response.status === 200) answered++;
      return response;
    };
    warmUp(vu, modules);
    assert.ok(answered > 0, 'the request path ran and got its answer');
    assert.equal(vu.phase, 'init');
    assert.equal(vu.iteration, -1);
    assert.equal(vu.samples, initSamples);
    assert.deepEqual(vu.samples, []);
    assert.equal(vu.answerLocally, undefined);
    // Back in the init context: VU-only calls fail again as k6's do.
    assert.throws(() => request('GET', 'http://127.0.0.1/'), /not available in the init context/);
  });
});
