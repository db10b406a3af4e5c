'use strict';
// Node.js client helpers for coho: load the coho protos with @grpc/proto-loader and
// create @grpc/grpc-js clients that send `authorization: Bearer <token>` on every call.

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// The repository's proto tree is the single source of truth; nothing is copied here.
const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto');
// Protos coho does not own but clients need (grpc.health.v1).
const LOCAL_PROTO_ROOT = path.resolve(__dirname, '..', 'proto');

const LOADER_OPTIONS = {
  keepCase: true, // field names exactly as in the .proto files (snake_case), as grpcurl shows them
  longs: String, // int64 sequences exceed Number.MAX_SAFE_INTEGER eventually
  enums: String,
  defaults: true,
  oneofs: true,
};

function listProtoFiles(root = PROTO_ROOT) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.proto')) found.push(path.relative(root, full));
    }
  };
  walk(root);
  return found.sort();
}

// Load every coho .proto; returns the grpc object tree, e.g.
// loadCoho().coho.admin.v1.ServerAdminService. google/protobuf well-known types are
// bundled with proto-loader (protobufjs), so only the proto roots are needed.
function loadCoho({ protoRoot = PROTO_ROOT, files } = {}) {
  const definition = protoLoader.loadSync(files || listProtoFiles(protoRoot), {
    ...LOADER_OPTIONS,
    includeDirs: [protoRoot, LOCAL_PROTO_ROOT],
  });
  return grpc.loadPackageDefinition(definition);
}

function loadHealth() {
  const definition = protoLoader.loadSync('grpc/health/v1/health.proto', {
    ...LOADER_OPTIONS,
    includeDirs: [LOCAL_PROTO_ROOT],
  });
  return grpc.loadPackageDefinition(definition).grpc.health.v1;
}

// An interceptor, not call credentials: grpc-js refuses to combine call credentials
// with an insecure channel, and local development runs plaintext on 127.0.0.1.
function bearerInterceptor(token) {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (metadata.get('authorization').length === 0) {
          metadata.set('authorization', `Bearer ${token}`);
        }
        next(metadata, listener);
      },
    });
}

// tls: undefined/false for plaintext, true for system roots, or
// { ca, cert, key } with PEM Buffers (cert + key for mutual TLS).
function channelCredentials(tls) {
  if (!tls) return grpc.credentials.createInsecure();
  if (tls === true) return grpc.credentials.createSsl();
  return grpc.credentials.createSsl(tls.ca || null, tls.key || null, tls.cert || null);
}

function createClient(ServiceClient, address, { token, tls, options = {} } = {}) {
  const interceptors = [...(options.interceptors || [])];
  if (token) interceptors.push(bearerInterceptor(token));
  return new ServiceClient(address, channelCredentials(tls), { ...options, interceptors });
}

// loadCoho() parses ~20 files; the helpers below share one parse per process.
let cachedRoot;
function cohoRoot() {
  if (!cachedRoot) cachedRoot = loadCoho();
  return cachedRoot;
}

function serviceClient(fullName) {
  return (address, options) => {
    const ServiceClient = fullName.split('.').reduce((node, part) => node && node[part], cohoRoot());
    if (typeof ServiceClient !== 'function') throw new Error(`${fullName} is not in the loaded protos`);
    return createClient(ServiceClient, address, options);
  };
}

// Clients for the services a Node integration most often needs; options as createClient
// ({ token, tls, options }), the token sent as `authorization: Bearer` on unary and streaming calls.
const dataManagerClient = serviceClient('coho.access.v1.DataManagerService');
const outTopicClient = serviceClient('coho.access.v1.OutTopicService');
const serverAdminClient = serviceClient('coho.admin.v1.ServerAdminService');

// Pull-style reading of a server stream: `await reader.next({ timeoutMs })` resolves with the next
// message (buffered meanwhile) and rejects with the stream's error, on its end, or on the timeout, so
// a caller can never hang on it. `reader.close()` cancels the call.
function streamReader(call) {
  const buffered = [];
  let waiter = null;
  let failure = null;
  const settle = () => {
    if (!waiter) return;
    const { resolve, reject, timer } = waiter;
    if (buffered.length > 0) resolve(buffered.shift());
    else if (failure) reject(failure);
    else return;
    clearTimeout(timer);
    waiter = null;
  };
  call.on('data', (message) => { buffered.push(message); settle(); });
  call.on('error', (err) => { failure = failure || err; settle(); });
  call.on('end', () => { failure = failure || new Error('stream ended'); settle(); });
  return {
    next({ timeoutMs = 10000 } = {}) {
      if (waiter) return Promise.reject(new Error('next() is already waiting'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`no stream message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = { resolve, reject, timer };
        settle();
      });
    },
    close() {
      failure = failure || new Error('stream closed');
      call.cancel();
    },
  };
}

// Promise wrapper for a unary call: await unary(client, 'GetServerStatus', {}).
function unary(client, method, request, { deadlineMs = 10000, metadata } = {}) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + deadlineMs);
    const callback = (err, response) => (err ? reject(err) : resolve(response));
    if (metadata) client[method](request, metadata, { deadline }, callback);
    else client[method](request, { deadline }, callback);
  });
}

module.exports = {
  PROTO_ROOT,
  LOCAL_PROTO_ROOT,
  LOADER_OPTIONS,
  listProtoFiles,
  loadCoho,
  loadHealth,
  bearerInterceptor,
  channelCredentials,
  createClient,
  cohoRoot,
  dataManagerClient,
  outTopicClient,
  serverAdminClient,
  serviceClient,
  streamReader,
  unary,
  grpc,
};
