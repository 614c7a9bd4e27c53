import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleDecoder, SampleEncoder } from '../../actions/lib/load/builtin/pool/protocol.js';
import type { Tags } from '../../actions/lib/load/metrics.js';

type Decoded = [string, number, Tags, number];

/** Sends the encoder's block as a pool worker does (its buffer transferred), and decodes it on the other side. */
function relay(encoder: SampleEncoder, decoder: SampleDecoder, into: Decoded[]): void {
  const taken = encoder.take();
  const moved = structuredClone(taken, { transfer: [taken.data.buffer] });
  decoder.read(moved, (name, value, tags, time) => into.push([name, value, tags, time]));
}

describe('pool worker samples as numbers', () => {
  it('gives the engine every sample in order, with its name, value, tags and time', () => {
    const encoder = new SampleEncoder();
    const decoder = new SampleDecoder();
    const request = { scenario: 'default', method: 'GET', status: '200', name: 'http://127.0.0.1/' };
    const data = { scenario: 'default', group: '' };
    const sent: Decoded[] = [
      ['http_reqs', 1, request, 1000],
      ['http_req_duration', 1.25, request, 1000],
      ['http_req_failed', 0, request, 1000],
      ['data_sent', 72, data, 1000],
      ['data_received', 123, data, 1000],
      ['http_reqs', 1, request, 1001],
      ['iterations', 1, { scenario: 'default', group: '' }, 1001],
      ['iteration_duration', 0.000123456789, { scenario: 'default', group: '' }, 1001],
    ];
    const received: Decoded[] = [];
    for (const [name, value, tags, time] of sent.slice(0, 5)) encoder.add(name, value, tags, time);
    relay(encoder, decoder, received);
    for (const [name, value, tags, time] of sent.slice(5)) encoder.add(name, value, tags, time);
    relay(encoder, decoder, received);
    assert.deepEqual(received, sent);
    assert.equal(encoder.empty, true);
  });

  it('tells apart tag sets that share entries: a subset, a superset, another value', () => {
    const encoder = new SampleEncoder();
    const decoder = new SampleDecoder();
    const sets: Tags[] = [
      { scenario: 'default', status: '200' },
      { scenario: 'default' },
      { scenario: 'default', status: '200', name: 'x' },
      { status: '200', scenario: 'default' },
      { scenario: 'default', status: '500' },
      { scenario: 'default', status: '200' },
    ];
    const sent = sets.map((tags, i): Decoded => ['http_reqs', 1, tags, i]);
    for (const sample of sent) encoder.add(...sample);
    const received: Decoded[] = [];
    relay(encoder, decoder, received);
    assert.deepEqual(received, sent);
  });

  it('sends a tag set once, and starts its tables afresh past their bound without losing a sample', () => {
    const encoder = new SampleEncoder();
    const decoder = new SampleDecoder();
    const received: Decoded[] = [];
    const sent: Decoded[] = [];
    let newTagSets = 0;
    let fresh = 0;
    // Every URL distinct, as a script that puts an id in its path makes them: 25,000 tag sets in blocks of 1,000.
    for (let block = 0; block < 25; block++) {
      for (let i = 0; i < 1000; i++) {
        const tags = { name: `http://127.0.0.1/items/${block * 1000 + i}`, status: '200' };
        const sample: Decoded = ['http_reqs', 1, tags, block * 1000 + i];
        sent.push(sample);
        encoder.add(...sample);
        // The same tag set again, in a new object: no new table entry.
        encoder.add('http_req_duration', 2, { ...tags }, block * 1000 + i + 0.5);
        sent.push(['http_req_duration', 2, tags, block * 1000 + i + 0.5]);
      }
      const taken = encoder.take();
      newTagSets += taken.tags.filter((tags) => 'name' in tags).length;
      if (taken.fresh) fresh++;
      const moved = structuredClone(taken, { transfer: [taken.data.buffer] });
      assert.equal(taken.data.byteLength, 0, 'the block buffer is transferred, not copied');
      decoder.read(moved, (name, value, tags, time) => received.push([name, value, tags, time]));
      // A sample of another kind between blocks, with a tag set of its own.
      if (block < 24) {
        encoder.add('vus', 1, { scenario: 'default' }, 0);
        sent.push(['vus', 1, { scenario: 'default' }, 0]);
      }
    }
    assert.deepEqual(received, sent);
    assert.equal(newTagSets, 25_000);
    assert.equal(fresh, 2);
  });
});
