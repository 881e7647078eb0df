// Catalog side: one uniqueness constraint per node kind (each also backs an index on id).
CREATE CONSTRAINT schema_migration_id IF NOT EXISTS FOR (n:SchemaMigration) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT life_stage_id IF NOT EXISTS FOR (n:LifeStage) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT life_event_id IF NOT EXISTS FOR (n:LifeEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT service_id IF NOT EXISTS FOR (n:Service) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT agency_id IF NOT EXISTS FOR (n:Agency) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT channel_id IF NOT EXISTS FOR (n:Channel) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT criterion_id IF NOT EXISTS FOR (n:Criterion) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT bundle_id IF NOT EXISTS FOR (n:Bundle) REQUIRE n.id IS UNIQUE;
CREATE INDEX evidence_norm_name IF NOT EXISTS FOR (n:Evidence) ON (n.normName);
CREATE INDEX service_source IF NOT EXISTS FOR (n:Service) ON (n.source);
CREATE INDEX life_stage_order IF NOT EXISTS FOR (n:LifeStage) ON (n.order);
