import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VuChannel } from '../../actions/lib/load/builtin/channel.js';
import { createModules, namedExports } from '../../actions/lib/load/builtin/vu/modules.js';
import { VuState } from '../../actions/lib/load/builtin/vu/state.js';

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
});
