'use strict';
// The example CSV connector, written in Node, attached to a real `coho daemon` in front of a real
// `coho server`: refreshes driven through the daemon's admin RPC, the file edited between them, and the
// daemon's integration reports checked to list exactly what the Node connector created, updated and deleted.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { serviceClient, dataManagerClient, unary } = require('../lib/client');
const { startCohoServer, startCohoDaemon } = require('../lib/testing');
const { runCsvConnector } = require('../examples/csv-connector');

const SERVER_ADMIN = 'node-server-admin-0001';
const DAEMON_TO_SERVER = 'node-daemon-connector-01';
const DAEMON_ADMIN = 'node-daemon-admin-00001';
const CSV_TOKEN = 'node-csv-connector-0001';
const NAME = 'csv-sync';
const DAEMON_SERVICE = 'coho.integration.v1.IntegrationDaemonService';

let server;
let daemon;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coho-node-csv-'));
  server = await startCohoServer({
    name: 'node-connector-server',
    tokens: {
      [SERVER_ADMIN]: { user: 'nodeadmin', roles: ['admin'] },
      [DAEMON_TO_SERVER]: { user: 'nodedaemon', roles: ['connector'] },
    },
  });
  daemon = await startCohoDaemon({
    server,
    serverToken: DAEMON_TO_SERVER,
    tokens: {
      [DAEMON_ADMIN]: { user: 'ops', roles: ['admin'] },
      [CSV_TOKEN]: { user: 'csv', roles: ['connector'], connector: NAME },
    },
    services: [{ name: 'files', kind: 'files', connectors: [{
      name: NAME, entry_point: 'remote', refresh_interval_seconds: 3600, metadata_source: 'node:csv',
      configuration_properties: { file: path.join(dir, 'rows.csv'), prefix: 'csv:rows' },
    }] }],
  });
});

after(async () => {
  if (daemon) await daemon.stop();
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function until(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function writeRows(rows) {
  fs.writeFileSync(path.join(dir, 'rows.csv'), ['name,description', ...rows.map(([n, d]) => `${n},${d}`), ''].join('\n'));
}

test('a Node connector syncs a CSV file through the daemon and its reports are exact', { timeout: 90000 }, async () => {
  writeRows([['a', 'first'], ['b', 'second'], ['c', 'third']]);
  const admin = serviceClient(DAEMON_SERVICE)(daemon.address, { token: DAEMON_ADMIN });
  const reader = dataManagerClient(server.address, { token: SERVER_ADMIN });
  const { connector, attached } = runCsvConnector({ address: daemon.address, token: CSV_TOKEN, name: NAME });
  const reports = async () => (await unary(admin, 'ListIntegrationReports', { connector_name: NAME })).reports;
  const connectorInfo = async () => (await unary(admin, 'GetConnector', { connector_name: NAME })).connector;
  try {
    // Attaching starts the connector; Egeria-style, the first refresh follows start at once.
    const first = await until('the first report', async () => (await reports()).length === 1 && (await reports())[0]);
    const info = await connectorInfo();
    assert.equal(info.attached, true);
    assert.equal(info.status, 'CONNECTOR_STATUS_RUNNING');
    const created = connector.lastRefresh.upserted.filter((r) => r.outcome === 'UPSERT_OUTCOME_CREATED').map((r) => r.guid);
    assert.equal(created.length, 4); // the file's folder element and three rows
    assert.deepEqual([...first.created_element_guids].sort(), [...created].sort());
    assert.equal(first.connector_id, `node-daemon.${NAME}`);
    const guidOf = Object.fromEntries(connector.lastRefresh.upserted.map((r) => [r.key, r.guid]));

    // Add d, change b, remove c; refresh on demand through the admin RPC.
    writeRows([['a', 'first'], ['b', 'second, revised'], ['d', 'fourth']]);
    await unary(admin, 'RefreshConnector', { connector_name: NAME });
    const second = await until('the second report', async () => { const r = await reports(); return r.length === 2 && r[0]; });
    const added = connector.lastRefresh.upserted.find((r) => r.key === 'csv:rows/d').guid;
    assert.deepEqual([...second.created_element_guids], [added]);
    assert.deepEqual([...second.updated_element_guids], [guidOf['csv:rows/b']]);
    assert.deepEqual([...second.deleted_element_guids], [guidOf['csv:rows/c']]);

    // The access server holds what the file says now.
    const children = await unary(reader, 'ListChildren', { parent_qualified_name: 'csv:rows' });
    const byName = Object.fromEntries(children.children.map((c) => [c.element.display_name, c.element.description]));
    assert.deepEqual(byName, { a: 'first', b: 'second, revised', d: 'fourth' });

    // Nothing changed: a refresh without changes records no report.
    await unary(admin, 'RefreshConnector', { connector_name: NAME });
    await until('the third refresh', async () => Number((await connectorInfo()).refresh_count) >= 3);
    assert.equal((await reports()).length, 2);

    // Detaching shows in the daemon's status.
    attached.close();
    await until('detached status', async () => (await connectorInfo()).attached === false);
  } finally {
    attached.close();
    admin.close();
    reader.close();
  }
});
