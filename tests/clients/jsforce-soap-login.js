// jsforce's default login is the SOAP partner login (POST /services/Soap/u/NN.0): no OAuth client at
// all. It reads serverUrl, sessionId, userId and organizationId from the envelope, then uses REST.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

async function main() {
  const conn = new jsforce.Connection({ loginUrl: process.env.PUSHAPI_URL, version: '62.0' });
  const user = await conn.login(process.env.PUSHAPI_USERNAME, process.env.PUSHAPI_PASSWORD);
  assert.match(user.id, /^005/);
  assert.match(user.organizationId, /^00D/);
  assert.equal(new URL(conn.instanceUrl).origin, new URL(process.env.PUSHAPI_URL).origin);
  const packages = await conn.query('SELECT Id, Name FROM MetadataPackage');
  let refused = null;
  try {
    await new jsforce.Connection({ loginUrl: process.env.PUSHAPI_URL, version: '62.0' }).login(process.env.PUSHAPI_USERNAME, 'wrong');
  } catch (error) {
    refused = `${error.name}: ${error.message}`;
  }
  console.log(JSON.stringify({ userId: user.id, organizationId: user.organizationId, packages: packages.totalSize, refused }));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
