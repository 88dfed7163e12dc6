// The whole push flow as a jsforce 3 script written for Salesforce does it, pointed at PushApi.
// Driven by tests/PushApi.IntegrationTests/Clients/JsforceTests.cs, which seeds the data and passes:
//   PUSHAPI_URL, PUSHAPI_USERNAME, PUSHAPI_PASSWORD, PUSHAPI_CLIENT_ID, PUSHAPI_CLIENT_SECRET,
//   OLD_VERSION_ID (what the subscribers run), NEW_VERSION_ID (the push target)
// Prints one JSON line of results; any failed expectation exits non-zero with the reason.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function expectRejection(promise, errorCode) {
  try {
    await promise;
  } catch (error) {
    assert.equal(error.errorCode ?? error.name, errorCode, `expected ${errorCode}, got ${error.errorCode ?? error.name}: ${error.message}`);
    return error.message;
  }
  assert.fail(`expected the call to fail with ${errorCode}`);
}

async function main() {
  const results = {};
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: env('PUSHAPI_URL'), clientId: env('PUSHAPI_CLIENT_ID'), clientSecret: env('PUSHAPI_CLIENT_SECRET') },
    version: '62.0',
  });
  const user = await conn.login(env('PUSHAPI_USERNAME'), env('PUSHAPI_PASSWORD'));
  assert.match(conn.accessToken, /^00D/);
  assert.equal(new URL(conn.instanceUrl).origin, new URL(env('PUSHAPI_URL')).origin);
  results.userId = user.id;

  // Discovery and describe.
  const global = await conn.describeGlobal();
  results.sobjects = global.sobjects.map((s) => s.name).sort();
  const describe = await conn.sobject('PackagePushRequest').describe();
  const status = describe.fields.find((f) => f.name === 'Status');
  results.requestStatuses = status.picklistValues.map((p) => p.value);
  results.requestKeyPrefix = describe.keyPrefix;

  // Eligible subscribers: more than one page, fetched with queryMore by autoFetch.
  const oldVersion = env('OLD_VERSION_ID');
  const newVersion = env('NEW_VERSION_ID');
  const subscribers = [];
  const query = conn.query(
    `SELECT Id, OrgKey, OrgName, OrgType, OrgStatus, InstanceName, MetadataPackageVersionId FROM PackageSubscriber ` +
    `WHERE MetadataPackageVersionId = '${oldVersion}' AND InstalledStatus = 'i' AND OrgStatus = 'Active'`);
  query.on('record', (record) => subscribers.push(record));
  await query.run({ autoFetch: true, maxFetch: 100000 });
  results.totalSize = query.totalSize;
  results.subscribers = subscribers.length;
  assert.equal(subscribers.length, query.totalSize, 'autoFetch returned every record');
  assert.equal(new Set(subscribers.map((s) => s.OrgKey)).size, subscribers.length, 'no record twice across pages');

  // Create the request (single create), read it back (single retrieve with fields).
  const created = await conn.sobject('PackagePushRequest').create({ PackageVersionId: newVersion });
  assert.equal(created.success, true);
  const request = await conn.sobject('PackagePushRequest').retrieve(created.id, { fields: ['Id', 'Status', 'PackageVersionId'] });
  assert.equal(request.Status, 'Created');
  results.requestId = created.id;

  // Add jobs 200 at a time with the array form (composite/sobjects), all or none.
  const orgKeys = subscribers.map((s) => s.OrgKey);
  const jobIds = [];
  for (let i = 0; i < orgKeys.length; i += 200) {
    const batch = orgKeys.slice(i, i + 200).map((orgKey) => ({ PackagePushRequestId: created.id, SubscriberOrganizationKey: orgKey }));
    const saved = await conn.sobject('PackagePushJob').create(batch, { allOrNone: true });
    assert.ok(saved.every((r) => r.success), JSON.stringify(saved.find((r) => !r.success)));
    jobIds.push(...saved.map((r) => r.id));
  }
  results.jobsCreated = jobIds.length;

  // A duplicate job: the array form reports it per record.
  const duplicate = await conn.sobject('PackagePushJob').create([{ PackagePushRequestId: created.id, SubscriberOrganizationKey: orgKeys[0] }]);
  assert.equal(duplicate[0].success, false);
  results.duplicateError = duplicate[0].errors[0].statusCode;

  // Retrieve many (composite/sobjects/{type} with every described field).
  const jobs = await conn.sobject('PackagePushJob').retrieve(jobIds.slice(0, 3));
  assert.deepEqual(jobs.map((j) => j.Id), jobIds.slice(0, 3));
  assert.ok(jobs.every((j) => j.Status === 'Created' && j.PackagePushRequestId === created.id));

  // Update: the array form on two fresh requests, then schedule ours (single update).
  const others = await conn.sobject('PackagePushRequest').create([{ PackageVersionId: newVersion }, { PackageVersionId: newVersion }]);
  const later = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const updated = await conn.sobject('PackagePushRequest').update(others.map((o) => ({ Id: o.id, ScheduledStartTime: later })));
  assert.ok(updated.every((u) => u.success));
  const canceled = await conn.sobject('PackagePushRequest').update(others.map((o) => ({ Id: o.id, Status: 'Canceled' })));
  assert.ok(canceled.every((u) => u.success));
  results.canceledOthers = (await conn.sobject('PackagePushRequest').retrieve(others.map((o) => o.id))).map((r) => r.Status);

  const scheduled = await conn.sobject('PackagePushRequest').update({ Id: created.id, Status: 'Pending' });
  assert.equal(scheduled.success, true);

  // Poll as the documented idiom does until the request is done.
  let current;
  const deadline = Date.now() + 120000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 250));
    current = (await conn.query(`SELECT Id, Status, StartTime, EndTime, DurationSeconds FROM PackagePushRequest WHERE Id = '${created.id}'`)).records[0];
  } while (!['Succeeded', 'Failed', 'Canceled'].includes(current.Status) && Date.now() < deadline);
  results.finalStatus = current.Status;
  results.hasTimes = Boolean(current.StartTime && current.EndTime && current.DurationSeconds !== null);

  // The count idiom of the spec (section 3.9, 18), with its mixed case and trailing space.
  results.jobCounts = {};
  for (const state of ['Succeeded', 'Failed']) {
    const counted = await conn.query(`SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '${created.id}' AND Status = '${state}' `);
    results.jobCounts[state] = counted.records[0].expr0;
  }

  // A finished push can't be aborted: the Salesforce error comes back as a jsforce error.
  results.abortError = await expectRejection(conn.sobject('PackagePushRequest').update({ Id: created.id, Status: 'Canceled' }).then((r) => {
    if (!r.success) {
      const error = new Error(r.errors[0].message);
      error.errorCode = r.errors[0].statusCode;
      throw error;
    }
    return r;
  }), 'INVALID_OPERATION');

  // Read-only objects refuse writes; an unknown field is INVALID_FIELD; bad SOQL is MALFORMED_QUERY.
  results.readOnlyError = await expectRejection(conn.sobject('MetadataPackage').create({ Name: 'x' }), 'METHOD_NOT_ALLOWED');
  const readOnlyMany = await conn.sobject('MetadataPackage').create([{ Name: 'x' }]);
  results.readOnlyManyError = readOnlyMany[0].errors[0].statusCode;
  await expectRejection(conn.query('SELECT Nope FROM PackagePushRequest'), 'INVALID_FIELD');
  await expectRejection(conn.query('SELECT Id FROM'), 'MALFORMED_QUERY');

  console.log(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
