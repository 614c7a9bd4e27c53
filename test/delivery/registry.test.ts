import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelivery } from '../../actions/lib/delivery/apply.js';
import { type DeliveryOptions, deliveryFor } from '../../actions/lib/delivery/index.js';
import { ScalegateError } from '../../actions/lib/util/errors.js';

function options(change: Partial<DeliveryOptions>): DeliveryOptions {
  return {
    environment: 'dev',
    settings: undefined,
    processEnv: {},
    run: {},
    renderStable: async () => [],
    log: () => {},
    ...change,
  };
}

describe('delivery registry', () => {
  it('applies when the settings choose no delivery, or apply', () => {
    assert.equal(deliveryFor(options({})), applyDelivery);
    assert.equal(deliveryFor(options({ settings: { mode: 'apply' } })), applyDelivery);
  });

  it('builds a GitOps delivery only with a token and a repository, failing as bad input (exit 2) otherwise', () => {
    const settings = { mode: 'gitops', path: 'deploy/dev', branch: 'main' } as const;
    assert.throws(
      () => deliveryFor(options({ settings })),
      (error: unknown) =>
        error instanceof ScalegateError && error.exitCode === 2 && /GITHUB_TOKEN/.test(error.message),
    );
    assert.throws(
      () => deliveryFor(options({ settings, processEnv: { GITHUB_TOKEN: 't' } })),
      (error: unknown) =>
        error instanceof ScalegateError && error.exitCode === 2 && /GitOps delivery/.test(error.message),
    );
    const gitops = deliveryFor(
      options({ settings, processEnv: { GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/shop' } }),
    );
    assert.notEqual(gitops, applyDelivery);
    assert.equal(typeof gitops.deliver, 'function');
  });
});
