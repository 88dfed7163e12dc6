-- Audit fields (issue 17 item 3): every push object carries CreatedDate, CreatedById, LastModifiedDate,
-- LastModifiedById and SystemModstamp, as Salesforce's objects do.
-- * CreatedDate is created_at and LastModifiedDate is system_modstamp: every table had both since 0001, so the
--   dates need no new column and every existing row has them.
-- * CreatedById and LastModifiedById are user row ids. Only push requests and jobs are written by users (the DML
--   path); the new columns hold who, and NULL means the platform itself (the push engine, the admin API, imports),
--   which the views show as the Automated Process user, row id 0 (Core/Catalog/AuditFields.cs, docs/audit-fields-and-limits.md).
-- * No trigger and no new index on push_jobs: the engine sets last_modified_by = NULL in its own set-based UPDATEs,
--   and an index on a column every job update changes would end its HOT updates.

ALTER TABLE push_requests ADD COLUMN last_modified_by bigint NULL;
ALTER TABLE push_jobs ADD COLUMN created_by bigint NULL, ADD COLUMN last_modified_by bigint NULL;

-- Existing rows: a request's creator was always recorded; it is also its last modifier when nothing changed it
-- since. Who created or changed existing jobs was never recorded: they stay the Automated Process's.
UPDATE push_requests SET last_modified_by = created_by WHERE system_modstamp = created_at;

-- The views gain the five fields at their end (CREATE OR REPLACE VIEW may only append columns).
CREATE OR REPLACE VIEW sobject_metadata_package AS
SELECT p.id,
       p.name,
       p.namespace_prefix AS namespaceprefix,
       p.package_category AS packagecategory,
       p.system_modstamp  AS systemmodstamp,
       p.created_at       AS createddate,
       0::bigint          AS createdbyid,
       p.system_modstamp  AS lastmodifieddate,
       0::bigint          AS lastmodifiedbyid
FROM packages p;

CREATE OR REPLACE VIEW sobject_metadata_package_version AS
SELECT v.id,
       v.build_number    AS buildnumber,
       v.is_deprecated   AS isdeprecated,
       v.major_version   AS majorversion,
       v.package_id      AS metadatapackageid,
       v.minor_version   AS minorversion,
       v.name,
       v.patch_version   AS patchversion,
       v.release_state   AS releasestate,
       v.system_modstamp AS systemmodstamp,
       v.created_at      AS createddate,
       0::bigint         AS createdbyid,
       v.system_modstamp AS lastmodifieddate,
       0::bigint         AS lastmodifiedbyid
FROM package_versions v;

CREATE OR REPLACE VIEW sobject_package_subscriber AS
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
       greatest(i.system_modstamp, t.system_modstamp) AS systemmodstamp,
       i.created_at                AS createddate,
       0::bigint                   AS createdbyid,
       greatest(i.system_modstamp, t.system_modstamp) AS lastmodifieddate,
       0::bigint                   AS lastmodifiedbyid
FROM installations i
JOIN tenants t ON t.org_key = i.org_key;

CREATE OR REPLACE VIEW sobject_package_push_request AS
SELECT r.id,
       r.duration_seconds     AS durationseconds,
       r.end_time             AS endtime,
       r.is_migration         AS ismigration,
       r.package_version_id   AS packageversionid,
       r.scheduled_start_time AS scheduledstarttime,
       r.start_time           AS starttime,
       r.status,
       r.system_modstamp      AS systemmodstamp,
       r.created_at           AS createddate,
       coalesce(r.created_by, 0) AS createdbyid,
       r.system_modstamp      AS lastmodifieddate,
       coalesce(r.last_modified_by, 0) AS lastmodifiedbyid
FROM push_requests r;

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
FROM push_jobs j;

CREATE OR REPLACE VIEW sobject_package_push_error AS
SELECT e.id,
       e.error_details   AS errordetails,
       e.error_message   AS errormessage,
       e.error_severity  AS errorseverity,
       e.error_title     AS errortitle,
       e.error_type      AS errortype,
       e.job_id          AS packagepushjobid,
       e.system_modstamp AS systemmodstamp,
       e.created_at      AS createddate,
       0::bigint         AS createdbyid,
       e.system_modstamp AS lastmodifieddate,
       0::bigint         AS lastmodifiedbyid
FROM push_errors e;
