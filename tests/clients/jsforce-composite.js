// jsforce 3 (which has no composite helper of its own) sends a Salesforce composite call through
// conn.requestPost: a push request, its jobs through @{ref.id}, the schedule and a query, in one call
// with allOrNone; then a failing allOrNone call; then bulk2.loadAndWaitForResults of jobs from a CSV.
// Driven by tests/PushApi.IntegrationTests/Clients/JsforceTests.cs, which passes:
//   PUSHAPI_URL, PUSHAPI_USERNAME, PUSHAPI_PASSWORD, PUSHAPI_CLIENT_ID, PUSHAPI_CLIENT_SECRET,
//   NEW_VERSION_ID (the push target), ORG_KEYS (comma-separated eligible subscriber org keys, at least 6)
// Prints one JSON line of results; any failed expectation exits non-zero with the reason.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main() {
  const results = {};
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: env('PUSHAPI_URL'), clientId: env('PUSHAPI_CLIENT_ID'), clientSecret: env('PUSHAPI_CLIENT_SECRET') },
    version: '62.0',
  });
  await conn.login(env('PUSHAPI_USERNAME'), env('PUSHAPI_PASSWORD'));
  const version = env('NEW_VERSION_ID');
  const orgs = env('ORG_KEYS').split(',');
  const base = `/services/data/v${conn.version}`;

  const composite = await conn.requestPost(`${base}/composite`, {
    allOrNone: true,
    compositeRequest: [
      { method: 'POST', url: `${base}/sobjects/PackagePushRequest`, referenceId: 'req', body: { PackageVersionId: version } },
      {
        method: 'POST', url: `${base}/composite/sobjects`, referenceId: 'jobs',
        body: { records: orgs.slice(0, 3).map((org) => ({ attributes: { type: 'PackagePushJob' }, PackagePushRequestId: '@{req.id}', SubscriberOrganizationKey: org })) },
      },
      { method: 'PATCH', url: `${base}/sobjects/PackagePushRequest/@{req.id}`, referenceId: 'schedule', body: { Status: 'Pending' } },
      // The reference stays as written: only the text around it is url-encoded.
      { method: 'GET', url: `${base}/query?q=${encodeURIComponent("SELECT Status, COUNT(Id) n FROM PackagePushJob WHERE PackagePushRequestId = '")}@{req.id}${encodeURIComponent("' GROUP BY Status")}`, referenceId: 'counts' },
    ],
  });
  const answers = composite.compositeResponse;
  results.statuses = answers.map((a) => a.httpStatusCode);
  assert.deepEqual(results.statuses, [201, 200, 204, 200], JSON.stringify(answers));
  results.requestId = answers[0].body.id;
  results.jobIds = answers[1].body.map((r) => r.id);
  results.counts = answers[3].body.records.map((r) => `${r.Status}:${r.n}`);
  const request = await conn.sobject('PackagePushRequest').retrieve(results.requestId);
  results.requestStatus = request.Status;

  // One bad job: every write of the call is rolled back.
  const failed = await conn.requestPost(`${base}/composite`, {
    allOrNone: true,
    compositeRequest: [
      { method: 'POST', url: `${base}/sobjects/PackagePushRequest`, referenceId: 'req', body: { PackageVersionId: version } },
      { method: 'POST', url: `${base}/sobjects/PackagePushJob`, referenceId: 'bad', body: { PackagePushRequestId: '@{req.id}', SubscriberOrganizationKey: '00D000000000zzz' } },
    ],
  });
  results.rolledBack = failed.compositeResponse.map((a) => a.body[0].errorCode);

  // Bulk API 2.0 ingest of jobs, as jsforce loads a CSV.
  const second = await conn.sobject('PackagePushRequest').create({ PackageVersionId: version });
  assert.ok(second.success);
  const csv = ['PackagePushRequestId,SubscriberOrganizationKey', ...orgs.slice(3, 6).map((org) => `${second.id},${org}`), `${second.id},00D000000000zzz`].join('\n') + '\n';
  const load = await conn.bulk2.loadAndWaitForResults({ object: 'PackagePushJob', operation: 'insert', input: csv, pollInterval: 500, pollTimeout: 60000 });
  results.bulkSucceeded = load.successfulResults.length;
  results.bulkFailed = load.failedResults.map((r) => r.sf__Error);
  results.bulkCreatedIds = load.successfulResults.map((r) => r.sf__Id);
  results.bulkRequestId = second.id;
  console.log(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
