// Open-data side, continued: harvest runs are looked up by portal and status (a new run fails the stale ones).
CREATE INDEX harvest_run_portal_status IF NOT EXISTS FOR (n:HarvestRun) ON (n.portal, n.status);
