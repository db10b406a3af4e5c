'use strict';
// Node creates elements through DataManagerService and streams them back from OutTopicService.Subscribe,
// against a real `coho server` process (issue 4's e2e bar).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { dataManagerClient, outTopicClient, streamReader, unary } = require('../lib/client');
const { startCohoServer } = require('../lib/testing');

const WRITER = 'node-connector-token-01';
const READER = 'node-reader-token-0001';
const CREATED = 'OUT_TOPIC_EVENT_TYPE_NEW_ELEMENT_CREATED';
const UPDATED = 'OUT_TOPIC_EVENT_TYPE_ELEMENT_UPDATED';

let server;

before(async () => {
  server = await startCohoServer({
    name: 'node-outtopic',
    tokens: {
      [WRITER]: { user: 'nodeconn', roles: ['connector'] },
      [READER]: { user: 'nodereader', roles: ['reader'] },
    },
  });
});

after(async () => { if (server) await server.stop(); });

// Read until `wanted` element (not relationship) events arrived; returns them in arrival order.
async function elementEvents(reader, wanted) {
  const events = [];
  for (let messages = 0; events.length < wanted && messages < 100; messages += 1) {
    const message = await reader.next({ timeoutMs: 10000 });
    events.push(...message.events.filter((e) => !e.is_relationship));
  }
  return events;
}

test('elements created from Node arrive on the Out Topic in sequence order, then their update', async () => {
  const dataManager = dataManagerClient(server.address, { token: WRITER });
  const outTopic = outTopicClient(server.address, { token: READER });
  const reader = streamReader(outTopic.Subscribe({ from_head: true, heartbeat_interval_seconds: 1 }));
  try {
    // The first heartbeat proves the subscription is positioned at the head, so no write can race it.
    const first = await reader.next({ timeoutMs: 10000 });
    assert.equal(first.events.length, 0);

    const upserted = await unary(dataManager, 'UpsertElements', {
      elements: [
        { qualified_name: 'file:///node/landing', display_name: 'landing', folder: { path_name: '/node/landing' } },
        { qualified_name: 'file:///node/landing/a.csv', parent_qualified_name: 'file:///node/landing',
          file: { path_name: '/node/landing/a.csv', file_name: 'a.csv', file_extension: 'csv' } },
        { qualified_name: 'file:///node/landing/b.csv', parent_qualified_name: 'file:///node/landing',
          file: { path_name: '/node/landing/b.csv', file_name: 'b.csv', file_extension: 'csv' } },
      ],
    });
    assert.deepEqual(upserted.results.map((r) => r.outcome), Array(3).fill('UPSERT_OUTCOME_CREATED'));
    const guids = upserted.results.map((r) => r.guid);

    const created = await elementEvents(reader, 3);
    assert.deepEqual(created.map((e) => e.element_header.guid), guids);
    assert.ok(created.every((e) => e.event_type === CREATED));
    assert.deepEqual(created.map((e) => e.element_header.type_name), ['FileFolder', 'DataFile', 'DataFile']);
    assert.ok(created.every((e) => e.user_id === 'nodeconn'));
    const sequences = created.map((e) => BigInt(e.sequence));
    assert.deepEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)), sequences);

    const updated = await unary(dataManager, 'UpsertElements', {
      elements: [{ qualified_name: 'file:///node/landing/a.csv', parent_qualified_name: 'file:///node/landing',
        description: 'landed by node', file: { path_name: '/node/landing/a.csv', file_name: 'a.csv',
          file_extension: 'csv' } }],
    });
    assert.equal(updated.results[0].outcome, 'UPSERT_OUTCOME_UPDATED');
    const [change] = await elementEvents(reader, 1);
    assert.equal(change.event_type, UPDATED);
    assert.equal(change.element_header.guid, guids[1]);
    assert.ok(BigInt(change.sequence) > sequences[2]);
  } finally {
    reader.close();
    dataManager.close();
    outTopic.close();
  }
});
