-- Retention (issue 19 item 4): the jobs and errors of push requests that finished long ago (PushApi:Retention:Age,
-- 180 days by default, from the request's end_time) leave the engine's tables, in small batches
-- (Core/Retention/PushRetention.cs, docs/ops/retention.md).
-- * The request row stays as it was, with its counters (job, succeeded, failed, canceled): the native API, the monitor,
--   webhooks and the audit answer for an old request as before.
-- * Each job becomes one compact history row with the fields PackagePushJob shows (no lease, attempt, queue or window
--   columns, two indexes instead of nine), so SOQL on PackagePushJob, and the sf CLI's counts of a request's jobs by
--   status, still answer for an old request.
-- * Errors (the bulk of the bytes: messages and details) are removed; what stays of them is the request's failure
--   groups (error type and title, count of failed jobs), taken once when its purge starts.
-- Nothing here touches the claim indexes: finished jobs are not in them.

CREATE TABLE push_job_history (
    id                          bigint PRIMARY KEY,           -- the job's id: 0DX ids stay the same
    request_id                  bigint NOT NULL,
    org_key                     text NOT NULL COLLATE "C",
    subscriber_organization_key text NULL COLLATE "C",        -- only when the client sent another form than org_key
    status                      text NOT NULL,
    start_time                  timestamptz NULL,
    end_time                    timestamptz NULL,
    duration_seconds            integer NULL,
    created_at                  timestamptz NOT NULL,
    system_modstamp             timestamptz NOT NULL,
    created_by                  bigint NULL,
    last_modified_by            bigint NULL
);
CREATE INDEX push_job_history_request ON push_job_history (request_id);

-- One row per request whose jobs are being (finished_at NULL) or were moved: the unit two purgers share out with
-- FOR UPDATE SKIP LOCKED, what it removed, and its failure groups.
CREATE TABLE push_request_retention (
    request_id     bigint PRIMARY KEY REFERENCES push_requests (id),
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NULL,
    jobs_moved     bigint NOT NULL DEFAULT 0,
    errors_removed bigint NOT NULL DEFAULT 0,
    failure_groups jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX push_request_retention_unfinished ON push_request_retention (request_id) WHERE finished_at IS NULL;

-- PackagePushJob: live jobs and moved ones (CREATE OR REPLACE VIEW keeps the columns of 0020, in order).
CREATE OR REPLACE VIEW sobject_package_push_job AS
SELECT j.id,
       j.duration_seconds            AS durationseconds,
       j.end_time                    AS endtime,
       j.request_id                  AS packagepushrequestid,
       j.start_time                  AS starttime,
       j.status,
       j.subscriber_organization_key AS subscriberorganizationkey,
       j.system_modstamp             AS systemmodstamp,
       j.org_key,
       j.created_at                  AS createddate,
       coalesce(j.created_by, 0)     AS createdbyid,
       j.system_modstamp             AS lastmodifieddate,
       coalesce(j.last_modified_by, 0) AS lastmodifiedbyid
FROM push_jobs j
UNION ALL
SELECT h.id,
       h.duration_seconds,
       h.end_time,
       h.request_id,
       h.start_time,
       h.status,
       coalesce(h.subscriber_organization_key, h.org_key),
       h.system_modstamp,
       h.org_key,
       h.created_at,
       coalesce(h.created_by, 0),
       h.system_modstamp,
       coalesce(h.last_modified_by, 0)
FROM push_job_history h;
