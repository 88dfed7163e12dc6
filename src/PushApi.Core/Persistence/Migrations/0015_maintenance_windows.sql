-- Tenant maintenance windows. A tenant may say when it can be upgraded: {timeZone, days, start, end} (the
-- shape the native API shows). A push request says whether it respects windows (requests made through the
-- Salesforce objects do) and until when its jobs may wait for one (window_deadline; null: no deadline).
ALTER TABLE tenants ADD COLUMN maintenance_window jsonb NULL;
ALTER TABLE push_requests ADD COLUMN respect_windows boolean NOT NULL DEFAULT true;
ALTER TABLE push_requests ADD COLUMN window_deadline timestamptz NULL;

-- The start of a request and the window keeper mark each Pending job of a tenant with a window:
-- * window_opens_at: the job waits for its window, which opens then; the claim does not see it;
-- * window_closes_at: the window is open and closes then; the keeper makes the job wait again if it has not run.
-- At most one is set; a job of a tenant without a window (or of a request that ignores windows) has neither.
ALTER TABLE push_jobs ADD COLUMN window_opens_at timestamptz NULL;
ALTER TABLE push_jobs ADD COLUMN window_closes_at timestamptz NULL;
ALTER TABLE push_jobs ADD CONSTRAINT push_jobs_one_window_mark CHECK (window_opens_at IS NULL OR window_closes_at IS NULL);

-- The claim indexes leave waiting jobs out, so a push with half its tenants out of window claims from the
-- other half without reading the waiting rows.
DROP INDEX push_jobs_claim_in_platform;
DROP INDEX push_jobs_claim_remote;
CREATE INDEX push_jobs_claim_in_platform ON push_jobs (request_id, id) WHERE status = 'Pending' AND NOT remote AND window_opens_at IS NULL;
CREATE INDEX push_jobs_claim_remote ON push_jobs (request_id, id) WHERE status = 'Pending' AND remote AND window_opens_at IS NULL;

-- The keeper's work, per running request: waiting jobs whose window opened (and, past the deadline, those still
-- waiting), and claimable jobs whose window closed. Only marked Pending jobs enter these indexes.
CREATE INDEX push_jobs_window_waiting ON push_jobs (request_id, window_opens_at) WHERE status = 'Pending' AND window_opens_at IS NOT NULL;
CREATE INDEX push_jobs_window_closing ON push_jobs (request_id, window_closes_at) WHERE status = 'Pending' AND window_closes_at IS NOT NULL;

-- The start of a request marks only the jobs of tenants with a window: found from this (usually small) set.
CREATE INDEX tenants_with_window ON tenants (org_key) WHERE maintenance_window IS NOT NULL;

-- The transition table gains one row: a job still waiting for its window at the deadline fails without running.
CREATE OR REPLACE FUNCTION push_transition_allowed(record text, from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (record, from_status, to_status) IN (
        ('request', 'Created', 'Pending'),
        ('request', 'Created', 'Canceled'),
        ('request', 'Pending', 'Canceled'),
        ('request', 'Pending', 'In Progress'),
        ('request', 'In Progress', 'Succeeded'),
        ('request', 'In Progress', 'Failed'),
        ('request', 'In Progress', 'Canceled'),
        ('job', 'Created', 'Pending'),
        ('job', 'Created', 'Canceled'),
        ('job', 'Pending', 'Canceled'),
        ('job', 'Pending', 'In Progress'),
        ('job', 'Pending', 'Failed'),
        ('job', 'In Progress', 'Succeeded'),
        ('job', 'In Progress', 'Failed'),
        ('job', 'In Progress', 'Pending')
    )
$$;
