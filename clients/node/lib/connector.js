'use strict';
// A small integration-connector SDK for Node: attach to a coho integration daemon with
// ConnectorHostService.Attach, answer its instructions (initialize, start, refresh, disconnect), and make
// metadata calls with the ordinary access-service clients addressed to the DAEMON. The daemon proxies those
// calls to the access server adding this connector's identity and the current refresh id, so its schedule,
// statuses, permitted synchronization and integration reports are the same as for Python connectors.
//
//   const attached = attachConnector({ address, token, name: 'csv-sync', connector: {
//     async initialize({ connectorId, config, properties }) {},
//     async start() {},
//     async refresh({ refreshId, deadline }) { await unary(attached.dataManager, 'UpsertElements', ...) },
//     async disconnect() {},
//   }});
//   await attached.closed;   // resolves when the daemon disconnects us (or the stream ends)

const { cohoRoot, createClient, dataManagerClient, outTopicClient, serviceClient } = require('./client');

const SDK_VERSION = '0.1.0';

// google.protobuf.Struct as proto-loader decodes it (keepCase, oneofs) -> a plain object.
function structToObject(struct) {
  const out = {};
  for (const [key, value] of Object.entries((struct && struct.fields) || {})) out[key] = valueToJs(value);
  return out;
}

// protobufjs names the well-known types' fields in camelCase whatever keepCase says; accept both.
function valueToJs(value) {
  const kind = value && value.kind && value.kind.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const field = (name) => (value[name] !== undefined ? value[name]
    : value[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]);
  switch (kind) {
    case 'stringValue': case 'numberValue': case 'boolValue': return field(kind);
    case 'structValue': return structToObject(field(kind));
    case 'listValue': return (field(kind).values || []).map(valueToJs);
    default: return null;
  }
}

// Connects the attach stream and drives `connector` (an object with optional async initialize, start,
// refresh and disconnect methods). Returns { dataManager, outTopic, client(fullName), closed, close() };
// `closed` resolves with the reason the stream ended and never rejects.
function attachConnector({ address, token, name, connector, tls, language = 'node' }) {
  const options = { token, tls };
  const ConnectorHost = cohoRoot().coho.integration.v1.ConnectorHostService;
  const host = createClient(ConnectorHost, address, options);
  const call = host.Attach();
  const handle = {
    name,
    dataManager: dataManagerClient(address, options),
    outTopic: outTopicClient(address, options),
    client: (fullName) => serviceClient(fullName)(address, options),
    connectorId: '',
    config: null,
    close() { call.end(); },
  };
  let queue = Promise.resolve(); // instructions are answered one at a time, in order
  handle.closed = new Promise((resolve) => {
    const finish = (reason) => {
      host.close();
      handle.dataManager.close();
      handle.outTopic.close();
      resolve(reason);
    };
    call.on('error', (err) => finish(err));
    call.on('end', () => finish('ended'));
  });
  call.on('data', (instruction) => {
    queue = queue.then(() => answer(call, connector, handle, instruction));
  });
  call.write({ hello: { connector_name: name, sdk_language: language, sdk_version: SDK_VERSION } });
  return handle;
}

async function answer(call, connector, handle, instruction) {
  const result = { instruction_id: instruction.instruction_id, ok: true, error_message: '' };
  try {
    await dispatch(connector, handle, instruction);
  } catch (err) {
    result.ok = false;
    result.error_message = String((err && err.message) || err);
  }
  call.write({ result });
  if (instruction.kind === 'disconnect') call.end();
}

async function dispatch(connector, handle, instruction) {
  switch (instruction.kind) {
    case 'initialize': {
      handle.connectorId = instruction.initialize.connector_id;
      handle.config = instruction.initialize.config;
      const properties = structToObject(handle.config.configuration_properties);
      if (connector.initialize) await connector.initialize({ connectorId: handle.connectorId, config: handle.config, properties });
      return;
    }
    case 'start':
      if (connector.start) await connector.start();
      return;
    case 'refresh': {
      const { refresh_id: refreshId, deadline } = instruction.refresh;
      const deadlineMs = deadline ? Number(deadline.seconds) * 1000 + Math.floor(deadline.nanos / 1e6) : 0;
      if (connector.refresh) await connector.refresh({ refreshId, deadlineMs });
      return;
    }
    case 'disconnect':
      if (connector.disconnect) await connector.disconnect(instruction.disconnect.reason);
      return;
    default:
      throw new Error(`unknown instruction ${instruction.kind}`);
  }
}

module.exports = { attachConnector, structToObject, SDK_VERSION };
