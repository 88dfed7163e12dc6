-- The audit log: who did what, when, from which address. Append-only: a trigger refuses every UPDATE
-- and TRUNCATE, and every DELETE except the retention purge's. The purge runs through
-- purge_audit_log(cutoff), which sets a transaction-local setting naming its cutoff; the trigger lets a
-- DELETE through only for rows older than that cutoff, in that transaction. One table, not monthly
-- partitions: the purge deletes by the occurred_at index, and the volume (one row per state-changing
-- call, not per record) stays far below where dropping partitions would pay.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    user_id bigint,
    username text,
    client_address text,
    action text NOT NULL,
    method text,
    path text,
    status_code integer,
    target text,
    detail text
);

CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at);
CREATE INDEX audit_log_username ON audit_log (lower(username), id);

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before text := current_setting('pushapi.audit_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> '' THEN
        IF OLD.occurred_at < purge_before::timestamptz THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % is refused (entries leave only through purge_audit_log).', TG_OP
        USING ERRCODE = 'insufficient_privilege', TABLE = 'audit_log';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- The retention purge: deletes the entries older than the cutoff and returns how many.
CREATE FUNCTION purge_audit_log(cutoff timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    purged bigint;
BEGIN
    PERFORM set_config('pushapi.audit_purge_before', cutoff::text, true);
    DELETE FROM audit_log WHERE occurred_at < cutoff;
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('pushapi.audit_purge_before', '', true);
    RETURN purged;
END $$;
