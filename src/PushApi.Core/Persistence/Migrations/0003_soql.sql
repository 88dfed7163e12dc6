-- What SOQL reads: one view per sObject whose columns are the object's fields, named as the fields
-- in lower case, so the translator maps Object.Field to view.field with no table of its own. Ids are
-- the bigint row numbers; the service turns them into 18-character ids. PostgreSQL inlines these
-- views, so a query on a view uses the indexes of the tables beneath it.

CREATE VIEW sobject_metadata_package AS
SELECT p.id,
       p.name,
       p.namespace_prefix AS namespaceprefix,
       p.package_category AS packagecategory,
       p.system_modstamp  AS systemmodstamp
FROM packages p;

CREATE VIEW sobject_metadata_package_version AS
SELECT v.id,
       v.build_number    AS buildnumber,
       v.is_deprecated   AS isdeprecated,
       v.major_version   AS majorversion,
       v.package_id      AS metadatapackageid,
       v.minor_version   AS minorversion,
       v.name,
       v.patch_version   AS patchversion,
       v.release_state   AS releasestate,
       v.system_modstamp AS systemmodstamp
FROM package_versions v;

CREATE VIEW sobject_package_subscriber AS
SELECT i.id,
       i.custom_upgrade_type       AS customupgradetype,
       i.has_restriction_enabled   AS hasrestrictionenabled,
       i.installed_status          AS installedstatus,
       t.instance_name             AS instancename,
       i.is_custom_upgrade_allowed AS iscustomupgradeallowed,
       i.package_id                AS metadatapackageid,
       i.package_version_id        AS metadatapackageversionid,
       i.org_key                   AS orgkey,
       t.org_name                  AS orgname,
       t.org_status                AS orgstatus,
       t.org_type                  AS orgtype,
       t.parent_org                AS parentorg,
       greatest(i.system_modstamp, t.system_modstamp) AS systemmodstamp
FROM installations i
JOIN tenants t ON t.org_key = i.org_key;

CREATE VIEW sobject_package_push_request AS
SELECT r.id,
       r.duration_seconds     AS durationseconds,
       r.end_time             AS endtime,
       r.is_migration         AS ismigration,
       r.package_version_id   AS packageversionid,
       r.scheduled_start_time AS scheduledstarttime,
       r.start_time           AS starttime,
       r.status,
       r.system_modstamp      AS systemmodstamp
FROM push_requests r;

-- subscriberorganizationkey is what the client sent (15 or 18 characters); org_key, its 15-character
-- form, is what filters compare with.
CREATE VIEW sobject_package_push_job AS
SELECT j.id,
       j.duration_seconds            AS durationseconds,
       j.end_time                    AS endtime,
       j.request_id                  AS packagepushrequestid,
       j.start_time                  AS starttime,
       j.status,
       j.subscriber_organization_key AS subscriberorganizationkey,
       j.system_modstamp             AS systemmodstamp,
       j.org_key
FROM push_jobs j;

CREATE VIEW sobject_package_push_error AS
SELECT e.id,
       e.error_details   AS errordetails,
       e.error_message   AS errormessage,
       e.error_severity  AS errorseverity,
       e.error_title     AS errortitle,
       e.error_type      AS errortype,
       e.job_id          AS packagepushjobid,
       e.system_modstamp AS systemmodstamp
FROM push_errors e;

-- The read-only objects tools touch on the way in: this installation as one Organization row (its id
-- is the org id as text), the users, and ScratchOrgInfo, which is always empty.
CREATE VIEW sobject_organization AS
SELECT (SELECT value FROM settings WHERE key = 'organization_id') COLLATE "C" AS id,
       false                                                              AS issandbox,
       NULL::text                                                         AS instancename,
       coalesce((SELECT value FROM settings WHERE key = 'organization_name'), 'PushApi') AS name,
       NULL::text                                                         AS namespaceprefix,
       'Enterprise Edition'::text                                         AS organizationtype,
       NULL::timestamptz                                                  AS trialexpirationdate,
       (SELECT min(created_at) FROM users)                                AS systemmodstamp;

CREATE VIEW sobject_user AS
SELECT u.id,
       u.email,
       u.is_active                        AS isactive,
       coalesce(u.full_name, u.username)  AS name,
       u.username,
       u.system_modstamp                  AS systemmodstamp
FROM users u;

CREATE VIEW sobject_scratch_org_info AS
SELECT NULL::bigint      AS id,
       NULL::timestamptz AS expirationdate,
       NULL::text        AS name,
       NULL::text        AS scratchorg,
       NULL::text        AS status,
       NULL::timestamptz AS systemmodstamp
WHERE false;

-- Query locators: a cursor per query that has more than one page, and the keyset position at which
-- each page starts. They live in the database so that any instance can serve the next page.
CREATE TABLE query_cursors (
    id           text COLLATE "C" PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    soql         text NOT NULL,
    batch_size   integer NOT NULL,
    total_size   integer NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL
);
CREATE INDEX query_cursors_last_used_at ON query_cursors (last_used_at);

CREATE TABLE query_cursor_pages (
    cursor_id text COLLATE "C" NOT NULL REFERENCES query_cursors (id) ON DELETE CASCADE,
    position  integer NOT NULL,       -- rows the earlier pages returned
    after_key jsonb NOT NULL,         -- sort-key values of the last row before this page
    PRIMARY KEY (cursor_id, position)
);
