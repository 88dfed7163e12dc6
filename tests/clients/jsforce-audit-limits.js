// jsforce reads the org's limits (conn.limits() and the Sforce-Limit-Info header it keeps in conn.limitInfo), lists
// the push jobs changed in a window (sobject.updated/deleted, the replication calls), and filters and orders on the
// audit fields.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

async function main() {
  const conn = new jsforce.Connection({ loginUrl: process.env.PUSHAPI_URL, version: '62.0' });
  const user = await conn.login(process.env.PUSHAPI_USERNAME, process.env.PUSHAPI_PASSWORD);
  const start = new Date(Date.now() - 5 * 60 * 1000);

  const subscriber = await conn.query(`SELECT OrgKey FROM PackageSubscriber WHERE MetadataPackageVersionId = '${process.env.OLD_VERSION_ID}' LIMIT 1`);
  const request = await conn.sobject('PackagePushRequest').create({ PackageVersionId: process.env.NEW_VERSION_ID });
  const job = await conn.sobject('PackagePushJob').create({ PackagePushRequestId: request.id, SubscriberOrganizationKey: subscriber.records[0].OrgKey });
  assert.equal(job.success, true);
  await conn.sobject('PackagePushRequest').update({ Id: request.id, Status: 'Canceled' });

  const limits = await conn.limits();
  const usage = conn.limitInfo.apiUsage;
  const end = new Date(Date.now() + 60 * 1000);
  const updated = await conn.sobject('PackagePushJob').updated(start, end);
  const deleted = await conn.sobject('PackagePushJob').deleted(start, end);
  const since = start.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const audited = await conn.query(
    `SELECT Id, CreatedById, LastModifiedById, CreatedDate FROM PackagePushJob WHERE LastModifiedDate > ${since} AND PackagePushRequestId = '${request.id}' ORDER BY CreatedDate`);
  let refused = null;
  try {
    await conn.sobject('PackagePushJob').updated(new Date(Date.now() - 40 * 86400000), new Date());
  } catch (error) {
    refused = error.errorCode ?? error.name;
  }

  console.log(JSON.stringify({
    userId: user.id,
    jobId: job.id,
    dailyApiRequests: limits.DailyApiRequests,
    limitInfo: usage,
    updatedIds: updated.ids,
    latestDateCovered: updated.latestDateCovered,
    deleted,
    audited: audited.records.map((r) => ({ Id: r.Id, CreatedById: r.CreatedById, LastModifiedById: r.LastModifiedById })),
    refused,
  }));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
