-- Push candidates (the Schedule Push Upgrades page) and deployments' targets.filter at 100,000 tenants.
-- A package's subscribers in org-key order, so a keyset page stops after its rows instead of sorting them all.
CREATE INDEX installations_package_org ON installations (package_id, org_key);
-- The org-type filter.
CREATE INDEX tenants_org_type ON tenants (org_type, org_key);
-- A partial name search (lower(org_name) LIKE '%…%') through a trigram index, where the server has pg_trgm (PostgreSQL's
-- contrib, a trusted extension since 13: a database owner may create it). Without it the search scans the tenants,
-- which stays within the page's budget at 100,000 tenants; the index only makes it cheaper.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX tenants_org_name_trgm ON tenants USING gin (lower(org_name) gin_trgm_ops);
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm could not be created (%); name searches scan the tenants', SQLERRM;
END $$;
