-- The install engine in pushes. A request made by the deployments API may install as well as upgrade
-- (installOrUpgrade: targeted tenants without the package get a fresh install); it says what happens to
-- the tenants' roles when the package has roles (merge, override, ignore), and which tenant roles get
-- access when it has none. Requests made through the Salesforce objects keep the defaults.
ALTER TABLE push_requests ADD COLUMN install_mode text NOT NULL DEFAULT 'upgrade' CHECK (install_mode IN ('upgrade', 'installOrUpgrade'));
ALTER TABLE push_requests ADD COLUMN roles_mode text NOT NULL DEFAULT 'merge' CHECK (roles_mode IN ('merge', 'override', 'ignore'));
ALTER TABLE push_requests ADD COLUMN grant_roles text[] NULL;

-- A tenant's features (capabilities): null means every feature; otherwise only those listed. An item
-- that needs a feature the tenant lacks fails its install with FeatureMissing.
ALTER TABLE tenants ADD COLUMN features text[] NULL;

-- An upgrade rewrites a tenant's changed components in place: room left in each page lets PostgreSQL keep the
-- new row version on the same page without touching the indexes (a HOT update), which an upgrade of every
-- tenant makes millions of times.
ALTER TABLE tenant_components SET (fillfactor = 50);
