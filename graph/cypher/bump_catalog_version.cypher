// A catalog load changed something: give the catalog a new version (in the load's own transaction).
MERGE (v:CatalogVersion {id: 'catalog'})
SET v.version = randomUUID(), v.changedAt = datetime()
