-- The transition table of push requests and jobs (Core/Push/Status/PushStatusTransitions.cs) in the
-- database: a status change that is not one of these rows is refused, whoever makes it. The service
-- can't tell a client's change from its own here, so a row is allowed for either actor. A unit test
-- holds this list against the table in code; the crash tests check recorded histories with it.
CREATE FUNCTION push_transition_allowed(record text, from_status text, to_status text) RETURNS boolean
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
        ('job', 'In Progress', 'Succeeded'),
        ('job', 'In Progress', 'Failed'),
        ('job', 'In Progress', 'Pending')
    )
$$;

CREATE FUNCTION refuse_push_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'A push % can''t go from ''%'' to ''%''.', TG_ARGV[0], OLD.status, NEW.status
        USING ERRCODE = 'check_violation', TABLE = TG_TABLE_NAME, COLUMN = 'status';
END $$;

-- The WHEN clause is a plain expression (the SQL function is inlined), so a legal change costs no
-- function call; the trigger function runs only to refuse.
CREATE TRIGGER push_requests_status_guard BEFORE UPDATE OF status ON push_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NOT push_transition_allowed('request', OLD.status, NEW.status))
    EXECUTE FUNCTION refuse_push_transition('request');

CREATE TRIGGER push_jobs_status_guard BEFORE UPDATE OF status ON push_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NOT push_transition_allowed('job', OLD.status, NEW.status))
    EXECUTE FUNCTION refuse_push_transition('job');
