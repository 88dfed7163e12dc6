-- Staged rollouts: a deployment with waves (or with a failure threshold) is a rollout. Its id is its first wave's push
-- request; each wave is a push request of its own, created with the deployment (later waves stay Created until the
-- supervisor schedules them, once the wave before has finished and baked). The supervisor halts a rollout whose wave
-- fails too often: later waves are canceled (on_halt 'cancel', state Halted) or held for a human (on_halt 'hold',
-- state Held) until resumed.
CREATE TABLE rollouts (
    id                    bigint PRIMARY KEY REFERENCES push_requests (id),
    halt_on_failure_rate  double precision NULL CHECK (halt_on_failure_rate >= 0 AND halt_on_failure_rate < 1),
    min_jobs              integer NOT NULL CHECK (min_jobs >= 1),
    on_halt               text NOT NULL CHECK (on_halt IN ('cancel', 'hold')),
    seed                  text NOT NULL,
    state                 text NOT NULL CHECK (state IN ('Running', 'Held', 'Halted', 'Finished', 'Canceled')),
    halted_at             timestamptz NULL,
    halted_wave           integer NULL,
    halt_reason           text NULL,
    halted_by             bigint NULL REFERENCES users (id),
    resumed_at            timestamptz NULL,
    resumed_by            bigint NULL REFERENCES users (id),
    created_by            bigint NULL REFERENCES users (id),
    created_at            timestamptz NOT NULL
);
-- The supervisor looks at live rollouts only.
CREATE INDEX rollouts_live ON rollouts (id) WHERE state IN ('Running', 'Held');

CREATE TABLE rollout_waves (
    rollout_id    bigint NOT NULL REFERENCES rollouts (id),
    ordinal       integer NOT NULL CHECK (ordinal >= 1),
    name          text NOT NULL,
    request_id    bigint NOT NULL UNIQUE REFERENCES push_requests (id),
    bake_seconds  integer NOT NULL DEFAULT 0 CHECK (bake_seconds >= 0),
    selector      jsonb NOT NULL,
    started_at    timestamptz NULL,   -- when the supervisor first saw it running (wave.started)
    passed_at     timestamptz NULL,   -- when it was judged done and below the threshold (or resumed past)
    bake_until    timestamptz NULL,   -- the next wave starts no earlier
    PRIMARY KEY (rollout_id, ordinal)
);

-- Deployment events (wave.started, deployment.halted, deployment.resumed) go through push_request_events like the
-- approval events of migration 16 (event_type, detail); they are not status changes, so they carry no statuses.
ALTER TABLE push_request_events
    ALTER COLUMN old_status DROP NOT NULL,
    ALTER COLUMN new_status DROP NOT NULL;
