// The one (:CatalogVersion {id: 'catalog'}) node: a new random version on every catalog load that changes something,
// so that processes caching what only a catalog load changes (the journey planner's head) know when to read again.
CREATE CONSTRAINT catalog_version_id IF NOT EXISTS FOR (n:CatalogVersion) REQUIRE n.id IS UNIQUE;
