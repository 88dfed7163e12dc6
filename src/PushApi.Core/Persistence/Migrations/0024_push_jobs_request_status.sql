-- A deployment's jobs by status in id order (issue 19 item 3, P18): the ops console's deployment page asks for a page of
-- the deployment's jobs, of one status or of all, every 2 seconds while it runs. Without an index on (request_id, id)
-- PostgreSQL read push_jobs' primary key from the start and filtered: every job of every earlier request was read for
-- each page (1.3 million rows, 380 ms, for the Pending page of a 1M-job deployment), and while those reads were in
-- flight the engine gave way to them, so a watched 1M push ran at 4,300 jobs/s instead of 13,000.
-- With this index a page is one range scan per (request, status): DeploymentJobs asks each status separately and merges.
-- It costs the engine one more index entry per job update; the update was not HOT before (status is in the partial
-- indexes' predicates), so no HOT update is lost.
CREATE INDEX push_jobs_request_status_id ON push_jobs (request_id, status, id);
