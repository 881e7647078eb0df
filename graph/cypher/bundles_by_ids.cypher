// Bundles by id, with their life event and their services in the catalog's order.
UNWIND $ids AS id
MATCH (b:Bundle {id: id})
RETURN b {.*} AS props, [(b)-[:FOR_EVENT]->(e:LifeEvent) | e.id][0] AS eventId,
  COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order } AS serviceIds
