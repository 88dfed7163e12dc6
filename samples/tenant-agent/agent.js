#!/usr/bin/env node
// PushApi reference tenant agent: receives upgrade calls from PushApi's remote upgrader and runs
// the tenant's own install step. Node.js 18+, standard library only.
//
//   AGENT_USERNAME=agent AGENT_PASSWORD=secret node agent.js
//
// Settings (environment):
//   AGENT_PORT             port to listen on (default 8787; 0 picks a free one and prints it)
//   AGENT_HOST             address to bind (default 127.0.0.1)
//   AGENT_USERNAME/PASSWORD  the Basic credentials PushApi sends (required)
//   AGENT_STATE            JSON file with installed versions and finished jobs (default ./agent-state.json)
//   AGENT_INSTALL_COMMAND  shell command that installs the version; it gets PUSH_* variables
//                          (PUSH_ORG_KEY, PUSH_PACKAGE_ID, PUSH_NAMESPACE, PUSH_VERSION_ID,
//                          PUSH_VERSION_NUMBER, PUSH_JOB_ID, PUSH_REQUEST_ID). Without one, the agent
//                          only records the version.
//   AGENT_INSTALL_TIMEOUT  seconds the command may run (default 600)
//
// Protocol (see the PushApi README, "Remote tenants"): POST with a JSON body
// {pushJobId, pushRequestId, orgKey, packageId, namespacePrefix, packageVersionId, versionNumber}.
// 200 = installed. Errors answer 4xx/5xx with {errorType, errorTitle, errorMessage, errorDetails,
// errorSeverity}. pushJobId is the idempotency key: a job that already finished gets its first
// answer again and the install does not run twice.
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');

const settings = {
  port: Number(process.env.AGENT_PORT ?? 8787),
  host: process.env.AGENT_HOST ?? '127.0.0.1',
  username: process.env.AGENT_USERNAME,
  password: process.env.AGENT_PASSWORD,
  statePath: path.resolve(process.env.AGENT_STATE ?? 'agent-state.json'),
  installCommand: process.env.AGENT_INSTALL_COMMAND ?? '',
  installTimeoutMs: Number(process.env.AGENT_INSTALL_TIMEOUT ?? 600) * 1000,
};

if (!settings.username || !settings.password) {
  console.error('Set AGENT_USERNAME and AGENT_PASSWORD to the credentials PushApi has for this tenant.');
  process.exit(2);
}

// { installed: { "<orgKey>/<packageId>": { versionId, versionNumber } }, jobs: { "<pushJobId>": { status, body } } }
const state = loadState();
const running = new Map(); // pushJobId -> Promise of the answer, so a repeated call waits for the first

function loadState() {
  try {
    const parsed = JSON.parse(fs.readFileSync(settings.statePath, 'utf8'));
    return { installed: parsed.installed ?? {}, jobs: parsed.jobs ?? {} };
  } catch (error) {
    if (error.code === 'ENOENT') return { installed: {}, jobs: {} };
    console.error(`Cannot read ${settings.statePath}: ${error.message}`);
    process.exit(2);
  }
}

function saveState() {
  // Write then rename: a crash never leaves a half-written state file.
  const temporary = `${settings.statePath}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state, null, 2));
  fs.renameSync(temporary, settings.statePath);
}

function authorized(header) {
  const expected = Buffer.from('Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64'));
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function error(status, errorType, errorTitle, errorMessage, errorDetails) {
  return { status, body: { errorType, errorTitle, errorMessage, errorDetails: errorDetails ?? null, errorSeverity: 'Error' } };
}

function compareVersions(a, b) {
  const pa = String(a).split('.').map(Number);
  const pb = String(b).split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function validate(body) {
  const required = ['pushJobId', 'pushRequestId', 'orgKey', 'packageId', 'packageVersionId', 'versionNumber'];
  const missing = required.filter((name) => typeof body?.[name] !== 'string' || body[name] === '');
  return missing.length === 0 ? null : error(400, 'UnclassifiedError', 'Bad Request', `Missing or empty: ${missing.join(', ')}.`);
}

function runInstall(job) {
  if (!settings.installCommand) return Promise.resolve({ code: 0, output: '' });
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', settings.installCommand], {
      env: {
        ...process.env,
        PUSH_ORG_KEY: job.orgKey,
        PUSH_PACKAGE_ID: job.packageId,
        PUSH_NAMESPACE: job.namespacePrefix ?? '',
        PUSH_VERSION_ID: job.packageVersionId,
        PUSH_VERSION_NUMBER: job.versionNumber,
        PUSH_JOB_ID: job.pushJobId,
        PUSH_REQUEST_ID: job.pushRequestId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk) => { output = (output + chunk).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), settings.installTimeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, output: e.message }); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code: signal ? -1 : code, output, signal }); });
  });
}

async function upgrade(job) {
  const key = `${job.orgKey}/${job.packageId}`;
  const current = state.installed[key];
  if (current && compareVersions(current.versionNumber, job.versionNumber) >= 0) {
    return error(409, 'IneligibleUpgrade', 'Already Installed',
      `Org ${job.orgKey} already has version ${current.versionNumber}, so ${job.versionNumber} is not an upgrade.`);
  }

  const result = await runInstall(job);
  if (result.code !== 0) {
    const how = result.signal ? `was stopped (${result.signal}; timeout ${settings.installTimeoutMs / 1000} s)` : `exited with code ${result.code}`;
    return error(500, 'UnclassifiedError', 'Install Failed', `The install command ${how}.`, result.output.trim() || null);
  }

  state.installed[key] = { versionId: job.packageVersionId, versionNumber: job.versionNumber };
  return { status: 200, body: { status: 'Installed', orgKey: job.orgKey, versionNumber: job.versionNumber } };
}

async function handle(job) {
  const done = state.jobs[job.pushJobId];
  if (done) return done;
  if (running.has(job.pushJobId)) return running.get(job.pushJobId);

  const answer = upgrade(job).then((result) => {
    state.jobs[job.pushJobId] = result;
    saveState();
    return result;
  }).finally(() => running.delete(job.pushJobId));
  running.set(job.pushJobId, answer);
  return answer;
}

function send(response, { status, body }) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/health') {
    return send(response, { status: 200, body: { status: 'ok' } });
  }
  if (request.method !== 'POST') {
    return send(response, error(405, 'UnclassifiedError', 'Method Not Allowed', 'Upgrades are POSTed.'));
  }
  if (!authorized(request.headers.authorization)) {
    response.setHeader('WWW-Authenticate', 'Basic realm="tenant-agent"');
    return send(response, error(401, 'UnclassifiedError', 'Not Authorized', 'The agent credentials PushApi sent are wrong.'));
  }

  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > 64 * 1024) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', async () => {
    let job;
    try {
      job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(response, error(400, 'UnclassifiedError', 'Bad Request', 'The body is not JSON.'));
    }
    const invalid = validate(job);
    if (invalid) return send(response, invalid);
    try {
      send(response, await handle(job));
    } catch (e) {
      send(response, error(500, 'UnclassifiedError', 'Agent Error', e.message));
    }
  });
});

server.listen(settings.port, settings.host, () => {
  const { address, port } = server.address();
  console.log(`tenant agent listening on http://${address}:${port}/upgrade`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
