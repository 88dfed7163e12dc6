-- Push engine: which queue a job is claimed from, and halting a running request.

-- A job for a tenant with a remote agent waits in its own queue: remote upgrades take seconds and
-- run a few at a time, in-platform ones take a row update and run in large batches. The flag is the
-- tenant's at the time the job was added; the engine checks the tenant again when it runs the job.
ALTER TABLE push_jobs ADD COLUMN remote boolean NOT NULL DEFAULT false;

DROP INDEX push_jobs_claim;
CREATE INDEX push_jobs_claim_in_platform ON push_jobs (request_id, id) WHERE status = 'Pending' AND NOT remote;
CREATE INDEX push_jobs_claim_remote ON push_jobs (request_id, id) WHERE status = 'Pending' AND remote;

-- An operator may halt a running request (native API): jobs not yet started are canceled, running
-- ones finish, and the request ends Canceled.
ALTER TABLE push_requests ADD COLUMN halted_at timestamptz NULL;

-- Every status change of a job rewrites all of its index entries (status is in index predicates, so
-- no update is HOT), and a job changes status three times. Indexes on push_jobs are therefore only
-- those a query needs: clients read jobs by id or by request (the unique key), and the failure
-- reports of a request use a partial index that only failed jobs enter. Scheduling or canceling a
-- 100,000-job request takes half the time without the two general indexes.
DROP INDEX push_jobs_request_status;
DROP INDEX push_jobs_org_key;
CREATE INDEX push_jobs_failed ON push_jobs (request_id, id) WHERE status = 'Failed';
