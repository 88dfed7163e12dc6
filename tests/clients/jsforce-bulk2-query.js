// jsforce's Bulk API 2.0 query (conn.bulk2.query): create the job, poll it, read every results page by
// following Sforce-Locator until it is "null", and parse the CSV into records. Prints what it read.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

async function readAll(conn, soql, options) {
  const records = [];
  const stream = await conn.bulk2.query(soql, options);
  await new Promise((resolve, reject) => {
    stream.on('record', (record) => records.push(record));
    stream.on('error', reject);
    stream.on('end', resolve);
  });
  return records;
}

async function main() {
  const conn = new jsforce.Connection({ loginUrl: process.env.PUSHAPI_URL, version: '62.0' });
  await conn.login(process.env.PUSHAPI_USERNAME, process.env.PUSHAPI_PASSWORD);
  const started = Date.now();
  const soql = `SELECT Id, OrgKey, OrgName, OrgType, MetadataPackageVersion.Name FROM PackageSubscriber WHERE MetadataPackageId = '${process.env.PACKAGE_ID}'`;
  const records = await readAll(conn, soql, { pollTimeout: 60000 });
  const seconds = (Date.now() - started) / 1000;
  const all = await readAll(conn, `SELECT OrgKey FROM PackageSubscriber WHERE MetadataPackageId = '${process.env.PACKAGE_ID}' AND OrgName = 'Tenant 7'`, { scanAll: true });

  let refused = null;
  try {
    await readAll(conn, 'SELECT Nope FROM PackageSubscriber');
  } catch (error) {
    refused = `${error.name}: ${error.message}`;
  }

  assert.ok(records.length > 0);
  console.log(JSON.stringify({
    count: records.length,
    distinctIds: new Set(records.map((r) => r.Id)).size,
    distinctOrgKeys: new Set(records.map((r) => r.OrgKey)).size,
    first: records[0],
    queryAll: all.map((r) => r.OrgKey),
    refused,
    seconds,
  }));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
