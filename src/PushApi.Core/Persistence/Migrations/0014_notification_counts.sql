-- A status-change event carries the request's job counts as they were at the change, captured by the
-- trigger in the changing transaction (every status statement updates the counters in the same
-- statement), so a webhook delivered later still reports the moment of the change. Events written
-- before this migration have no counts; the notifier reads the request's current counts for those.
ALTER TABLE push_request_events
    ADD COLUMN job_count       integer NULL,
    ADD COLUMN succeeded_count integer NULL,
    ADD COLUMN failed_count    integer NULL,
    ADD COLUMN canceled_count  integer NULL;

CREATE OR REPLACE FUNCTION push_request_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO push_request_events (request_id, old_status, new_status, job_count, succeeded_count, failed_count, canceled_count)
    VALUES (NEW.id, OLD.status, NEW.status, NEW.job_count, NEW.succeeded_count, NEW.failed_count, NEW.canceled_count);
    RETURN NEW;
END $$;

-- Run-time estimates tell remote pushes from in-platform ones by whether any job goes through an
-- agent; this index of remote jobs only answers that without reading an in-platform push's jobs.
CREATE INDEX push_jobs_remote ON push_jobs (request_id) WHERE remote;
