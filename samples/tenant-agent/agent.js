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
//                          PUSH_VERSION_NUMBER, PUSH_JOB_ID, PUSH_REQUEST_ID, PUSH_INSTALL_KIND,
//                          PUSH_ROLES_MODE, PUSH_GRANT_ROLES, and PUSH_ARTIFACT: the path of the
//                          package ZIP, empty when PushApi sent none). Without one, the agent only
//                          records the version.
//   AGENT_INSTALL_TIMEOUT  seconds the command may run (default 600)
//   AGENT_ARTIFACTS        directory for downloaded package ZIPs (default: artifacts/ next to the
//                          state file); a ZIP is removed once its install command has run
//   AGENT_MAX_ARTIFACT_BYTES  largest package ZIP the agent downloads (default 268435456, 256 MiB)
//   AGENT_DOWNLOAD_TIMEOUT seconds a package download may take (default 120)
//
// Protocol (see the PushApi README, "Remote tenants"): POST with a JSON body
// {pushJobId, pushRequestId, orgKey, packageId, namespacePrefix, packageVersionId, versionNumber,
//  kind, rolesMode, grantRoles?, artifact: {url, sha256, size} | null}.
// 200 = installed. Errors answer 4xx/5xx with {errorType, errorTitle, errorMessage, errorDetails,
// errorSeverity}. pushJobId is the idempotency key: a job that already finished gets its first
// answer again and the install does not run twice. With an artifact, the package ZIP is downloaded
// and its SHA-256 checked before the install command sees it; a mismatch answers 422 DeployError
// "Artifact Checksum Mismatch".
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const settings = {
  port: Number(process.env.AGENT_PORT ?? 8787),
  host: process.env.AGENT_HOST ?? '127.0.0.1',
  username: process.env.AGENT_USERNAME,
  password: process.env.AGENT_PASSWORD,
  statePath: path.resolve(process.env.AGENT_STATE ?? 'agent-state.json'),
  installCommand: process.env.AGENT_INSTALL_COMMAND ?? '',
  installTimeoutMs: Number(process.env.AGENT_INSTALL_TIMEOUT ?? 600) * 1000,
  artifactsPath: path.resolve(process.env.AGENT_ARTIFACTS
    ?? path.join(path.dirname(path.resolve(process.env.AGENT_STATE ?? 'agent-state.json')), 'artifacts')),
  maxArtifactBytes: Number(process.env.AGENT_MAX_ARTIFACT_BYTES ?? 256 * 1024 * 1024),
  downloadTimeoutMs: Number(process.env.AGENT_DOWNLOAD_TIMEOUT ?? 120) * 1000,
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
  if (missing.length > 0) return error(400, 'UnclassifiedError', 'Bad Request', `Missing or empty: ${missing.join(', ')}.`);
  const invalid = [];
  // Fields a newer PushApi adds; an older one leaves them out.
  if (body.kind !== undefined && !['install', 'upgrade'].includes(body.kind)) invalid.push('kind (install or upgrade)');
  if (body.rolesMode !== undefined && !['merge', 'override', 'ignore'].includes(body.rolesMode)) invalid.push('rolesMode (merge, override or ignore)');
  if (body.grantRoles !== undefined && !(Array.isArray(body.grantRoles) && body.grantRoles.every((r) => typeof r === 'string' && r !== '' && !r.includes(',')))) {
    invalid.push('grantRoles (role names)');
  }
  const artifact = body.artifact;
  if (artifact !== undefined && artifact !== null) {
    if (typeof artifact !== 'object' || !isHttpUrl(artifact.url)) invalid.push('artifact.url (an http or https URL)');
    if (!/^[0-9a-fA-F]{64}$/.test(artifact?.sha256 ?? '')) invalid.push('artifact.sha256 (64 hex digits)');
    if (!Number.isSafeInteger(artifact?.size) || artifact.size < 0) invalid.push('artifact.size (a whole number of bytes)');
  }
  return invalid.length === 0 ? null : error(400, 'UnclassifiedError', 'Bad Request', `Invalid: ${invalid.join(', ')}.`);
}

function isHttpUrl(text) {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

// The artifact URL without its query: the token is a credential and stays out of errors and logs.
function withoutQuery(url) {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function fileFor(job) {
  return path.join(settings.artifactsPath, `${job.pushJobId.replace(/[^A-Za-z0-9_-]/g, '_')}.zip`);
}

// Downloads the job's package ZIP to a file and checks it against the announced size and SHA-256.
// Returns { file } or { failure } (an error answer for PushApi).
async function download(job) {
  const { url, sha256, size } = job.artifact;
  const expected = sha256.toLowerCase();
  const where = withoutQuery(url);
  if (size > settings.maxArtifactBytes) {
    return { failure: error(413, 'LimitExceeded', 'Artifact Too Large',
      `The package ZIP is ${size} bytes; this agent takes at most ${settings.maxArtifactBytes} (AGENT_MAX_ARTIFACT_BYTES).`) };
  }
  const failed = (message, details) => ({ failure: error(502, 'UnclassifiedError', 'Artifact Download Failed', message, details) });

  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(settings.downloadTimeoutMs) });
  } catch (e) {
    return failed(`The package ZIP could not be downloaded from ${where}: ${e.cause?.message ?? e.message}.`);
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 1000);
    let detail = text;
    try { detail = JSON.parse(text).detail ?? text; } catch { /* not problem details */ }
    return failed(`Downloading the package ZIP from ${where} answered ${response.status}.`, detail || null);
  }

  fs.mkdirSync(settings.artifactsPath, { recursive: true });
  const file = fileFor(job);
  const temporary = `${file}.${process.pid}.part`;
  const hash = crypto.createHash('sha256');
  let received = 0;
  const tooLong = new Error('longer than announced');
  try {
    await pipeline(Readable.fromWeb(response.body), async function* (chunks) {
      for await (const chunk of chunks) {
        received += chunk.length;
        if (received > size) throw tooLong;
        hash.update(chunk);
        yield chunk;
      }
    }, fs.createWriteStream(temporary));
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    if (e !== tooLong) {
      return failed(`The download of the package ZIP from ${where} broke off after ${received} bytes: ${e.cause?.message ?? e.message}.`);
    }
  }

  const actual = hash.digest('hex');
  if (received !== size || actual !== expected) {
    fs.rmSync(temporary, { force: true });
    const got = received > size ? `more than ${size} bytes` : `sha256 ${actual} (${received} bytes)`;
    return { failure: error(422, 'DeployError', 'Artifact Checksum Mismatch',
      `The package ZIP from ${where} is not the one announced: expected sha256 ${expected} (${size} bytes), got ${got}.`) };
  }
  fs.renameSync(temporary, file);
  return { file };
}

function runInstall(job, artifactFile) {
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
        PUSH_INSTALL_KIND: job.kind ?? 'upgrade',
        PUSH_ROLES_MODE: job.rolesMode ?? 'merge',
        PUSH_GRANT_ROLES: (job.grantRoles ?? []).join(','),
        PUSH_ARTIFACT: artifactFile ?? '',
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

  let artifactFile = null;
  if (job.artifact) {
    const fetched = await download(job);
    if (fetched.failure) return fetched.failure;
    artifactFile = fetched.file;
  }

  let result;
  try {
    result = await runInstall(job, artifactFile);
  } finally {
    if (artifactFile) fs.rmSync(artifactFile, { force: true });
  }
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
