'use strict';
// Test harness: run a real `coho server` (Python) on 127.0.0.1:0 for a Node test and stop it after.
// The server announces its bound address in its JSON "serving" log line, so no port is guessed.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const PYTHON = process.env.PYTHON || 'python3';

// tokens: { token: { user, roles: [...] } }. Resolves with { address, stop(), process, dir } once the
// server reports SERVING; rejects (after killing it) if it exits or is not up within startTimeoutMs.
async function startCohoServer({ name = 'node-test', tokens = {}, startTimeoutMs = 20000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coho-node-'));
  const config = path.join(dir, 'server.yaml');
  const tokenLines = Object.entries(tokens).map(
    ([token, p]) => `    ${token}: {user: ${p.user}, roles: [${p.roles.join(', ')}]}`,
  );
  fs.writeFileSync(config, [
    `server_name: ${name}`,
    'listen: 127.0.0.1:0',
    'data_dir: data',
    'shutdown_grace_seconds: 1',
    'auth:',
    '  tokens:',
    ...(tokenLines.length ? tokenLines : ['    {}']),
    '',
  ].join('\n'));
  return spawnCoho('server', config, dir, startTimeoutMs);
}

// Starts `coho <kind> --config <config>` and resolves once it logs "serving" with its address; `dir` is
// removed when it stops.
async function spawnCoho(kind, config, dir, startTimeoutMs) {
  const child = spawn(PYTHON, ['-m', 'coho.server.cli', kind, '--config', config], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });

  const stop = () => new Promise((resolve) => {
    const cleanup = (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(code);
    };
    if (child.exitCode !== null || child.signalCode !== null) return cleanup(child.exitCode);
    child.removeAllListeners('exit');
    // SIGTERM drains; if draining hangs, SIGKILL so a test run can never be held open.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', (code) => { clearTimeout(killer); cleanup(code); });
    child.kill('SIGTERM');
  });

  try {
    const address = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coho ${kind} did not start in ${startTimeoutMs} ms`)),
        startTimeoutMs);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`coho ${kind} exited with ${code}`)); });
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        let record;
        try { record = JSON.parse(line); } catch { process.stderr.write(`${line}\n`); return; }
        if (record.msg === 'serving') {
          clearTimeout(timer);
          resolve(record.address);
        }
      });
    });
    return { address, stop, process: child, dir };
  } catch (err) {
    await stop();
    throw err;
  }
}

// A `coho daemon` for `server` (from startCohoServer). serverToken: a connector-role token of the server;
// tokens: the daemon's own ({ token: { user, roles, connector? } }); services: its integration_services
// (plain objects, written as JSON, which YAML accepts).
async function startCohoDaemon({ name = 'node-daemon', server, serverToken, tokens = {}, services = [],
  startTimeoutMs = 20000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coho-node-daemon-'));
  const config = path.join(dir, 'daemon.json');
  fs.writeFileSync(config, JSON.stringify({
    daemon_name: name, listen: '127.0.0.1:0', user: 'node-daemon',
    server: { address: server.address, token: serverToken },
    auth: { tokens },
    integration_services: services,
    scheduler: { retry_initial_seconds: 0.1, retry_max_seconds: 1 },
    shutdown_grace_seconds: 1,
  }, null, 2));
  return spawnCoho('daemon', config, dir, startTimeoutMs);
}

module.exports = { startCohoServer, startCohoDaemon, PYTHON };
