'use strict';
// Starts a real `coho server` (Python) on 127.0.0.1:0, then talks to it from Node.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { listProtoFiles, loadCoho, loadHealth, createClient, unary, grpc } = require('../lib/client');
const { startCohoServer } = require('../lib/testing');

const TOKEN = 'node-test-token-0123';
const BINDING_SERVICES = [
  'coho.omrs.v1.MetadataCollectionService',
  'coho.omrs.v1.TypeService',
  'coho.omrs.v1.CohortService',
  'coho.access.v1.OutTopicService',
  'coho.admin.v1.ServerAdminService',
  'coho.integration.v1.IntegrationDaemonService',
  'coho.integration.v1.ConnectorHostService',
];

let server;
let address;

before(async () => {
  server = await startCohoServer({ tokens: { [TOKEN]: { user: 'node', roles: ['admin'] } } });
  address = server.address;
});

after(async () => { if (server) await server.stop(); });

test('every coho .proto parses and the binding services exist', () => {
  const files = listProtoFiles();
  assert.ok(files.length > 0, 'no .proto files found under proto/');
  const root = loadCoho();
  for (const fullName of BINDING_SERVICES) {
    const service = fullName.split('.').reduce((node, part) => node && node[part], root);
    assert.equal(typeof service, 'function', `${fullName} missing from the loaded protos`);
    assert.ok(service.service, `${fullName} is not a service`);
  }
});

test('grpc.health.v1.Health/Check says SERVING', async () => {
  const health = loadHealth();
  const client = createClient(health.Health, address);
  try {
    const response = await unary(client, 'Check', { service: '' });
    assert.equal(response.status, 'SERVING');
  } finally {
    client.close();
  }
});

test('a coho RPC with a bearer token reaches the server', async () => {
  const root = loadCoho();
  const client = createClient(root.coho.admin.v1.ServerAdminService, address, { token: TOKEN });
  let outcome = grpc.status.OK;
  try {
    await unary(client, 'GetServerStatus', {});
  } catch (err) {
    if (err.code === undefined) throw err;
    outcome = err.code;
  } finally {
    client.close();
  }
  // The skeleton answers UNIMPLEMENTED and a real server answers OK; a transport,
  // auth or internal failure means the stubs or the channel are broken.
  const broken = [grpc.status.UNAVAILABLE, grpc.status.UNAUTHENTICATED, grpc.status.INTERNAL];
  assert.ok(!broken.includes(outcome), `GetServerStatus failed with code ${outcome}`);
});

test('SIGTERM stops the server with exit code 0', async () => {
  assert.equal(await server.stop(), 0);
});
