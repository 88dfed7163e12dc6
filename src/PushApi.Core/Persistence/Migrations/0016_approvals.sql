-- Four-eyes approval (issue 15, part 4). While the setting require_approval is on, a push request a
-- user schedules (a deployment, a retry, Status Pending through the Salesforce API) is held here, still
-- Created, until another user approves it (it is scheduled then) or rejects it (it is canceled). One row
-- per request: who asked and when, and who decided what, when and why. A request that is Created and has
-- a row without a decision is awaiting approval.
CREATE TABLE push_request_approvals (
    request_id   bigint PRIMARY KEY REFERENCES push_requests (id),
    requested_by bigint NOT NULL REFERENCES users (id),
    requested_at timestamptz NOT NULL,
    decision     text NULL CHECK (decision IN ('Approved', 'Rejected')),
    decided_by   bigint NULL REFERENCES users (id),
    decided_at   timestamptz NULL,
    comment      text NULL CHECK (length(comment) <= 2000),
    CHECK ((decision IS NULL) = (decided_by IS NULL) AND (decision IS NULL) = (decided_at IS NULL))
);

-- The requests awaiting approval, for the check that an org is not in two live pushes of a package.
CREATE INDEX push_request_approvals_awaiting ON push_request_approvals (request_id) WHERE decision IS NULL;

-- The permission to approve or reject another user's push.
ALTER TABLE users DROP CONSTRAINT users_permissions_check;
ALTER TABLE users ADD CONSTRAINT users_permissions_check
    CHECK (permissions <@ ARRAY['Admin', 'PushUpgrade', 'Read', 'ApprovePush']::text[]);

-- Events other than a status change (deployment.awaitingApproval, deployment.approved, deployment.rejected)
-- go through the same table and outbox: event_type names them (null: a status change, as before), detail
-- carries what the webhook adds (the approval), written in the transaction of the change with its counts.
ALTER TABLE push_request_events
    ADD COLUMN event_type text NULL,
    ADD COLUMN detail     jsonb NULL;
