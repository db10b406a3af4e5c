'use strict';
// Example remote integration connector: catalogues the rows of a CSV (name,description) or JSON
// ([{name, description}]) file as DataFile elements under one FileFolder element standing for the file.
// Each refresh upserts every row (the server reports unchanged rows as unchanged, so only real changes
// reach the change log) and deletes the elements whose rows disappeared, found through ListChildren.
//
// Configuration properties (from the daemon config): file (required), prefix (qualified-name prefix,
// default "csv:<file>").
//
// Run: COHO_DAEMON=127.0.0.1:50052 COHO_TOKEN=... COHO_CONNECTOR=csv-sync node examples/csv-connector.js

const fs = require('node:fs');
const path = require('node:path');

const { unary } = require('../lib/client');
const { attachConnector } = require('../lib/connector');

function readRows(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text).map((r) => ({ name: String(r.name), description: r.description || '' }));
  const [, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== ''); // the first line is the header
  return lines.map((line) => {
    const comma = line.indexOf(',');
    return comma < 0 ? { name: line.trim(), description: '' }
      : { name: line.slice(0, comma).trim(), description: line.slice(comma + 1).trim() };
  });
}

async function listChildren(dataManager, parentQualifiedName) {
  const children = [];
  let pageToken = '';
  do {
    const page = await unary(dataManager, 'ListChildren', { parent_qualified_name: parentQualifiedName, page_token: pageToken });
    children.push(...page.children);
    pageToken = page.next_page_token;
  } while (pageToken);
  return children;
}

// Returns the connector object attachConnector drives; `handle()` gives it the attached handle (clients).
function createCsvConnector() {
  let handle;
  let settings;
  const connector = {
    bind(attached) { handle = attached; },
    async initialize({ properties }) {
      if (!properties.file) throw new Error('configuration property "file" is required');
      settings = { file: properties.file, prefix: properties.prefix || `csv:${properties.file}` };
    },
    async refresh() {
      const { file, prefix } = settings;
      const rows = readRows(file);
      const rowName = (name) => `${prefix}/${name}`;
      const elements = [{ qualified_name: prefix, display_name: path.basename(file), folder: { path_name: file } },
        ...rows.map((row) => ({
          qualified_name: rowName(row.name), parent_qualified_name: prefix, display_name: row.name,
          description: row.description, file: { path_name: `${file}#${row.name}`, file_name: row.name },
        }))];
      const upserted = await unary(handle.dataManager, 'UpsertElements', { elements });
      const wanted = new Set(rows.map((row) => rowName(row.name)));
      const gone = (await listChildren(handle.dataManager, prefix))
        .map((child) => child.element.qualified_name).filter((name) => !wanted.has(name));
      const deleted = gone.length ? await unary(handle.dataManager, 'DeleteElements', { qualified_names: gone }) : { results: [] };
      connector.lastRefresh = { upserted: upserted.results, deleted: deleted.results };
    },
  };
  return connector;
}

function runCsvConnector({ address, token, name }) {
  const connector = createCsvConnector();
  const attached = attachConnector({ address, token, name, connector });
  connector.bind(attached);
  return { connector, attached };
}

if (require.main === module) {
  const { attached } = runCsvConnector({
    address: process.env.COHO_DAEMON || '127.0.0.1:50052',
    token: process.env.COHO_TOKEN,
    name: process.env.COHO_CONNECTOR || 'csv-sync',
  });
  attached.closed.then((reason) => {
    process.stderr.write(`detached: ${reason}\n`);
    process.exitCode = reason === 'ended' ? 0 : 1;
  });
  process.on('SIGTERM', () => attached.close());
}

module.exports = { createCsvConnector, runCsvConnector, readRows };
