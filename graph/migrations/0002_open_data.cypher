// Open-data side: datasets harvested from CKAN portals, with provenance and harvest runs.
CREATE CONSTRAINT portal_id IF NOT EXISTS FOR (n:Portal) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT resource_id IF NOT EXISTS FOR (n:Resource) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT tag_id IF NOT EXISTS FOR (n:Tag) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT group_id IF NOT EXISTS FOR (n:Group) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT harvest_run_id IF NOT EXISTS FOR (n:HarvestRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX dataset_portal IF NOT EXISTS FOR (n:Dataset) ON (n.portal);
CREATE INDEX dataset_state IF NOT EXISTS FOR (n:Dataset) ON (n.state);
