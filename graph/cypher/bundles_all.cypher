// Every bundle, by id, with its life event and its services in the catalog's order.
MATCH (b:Bundle)
RETURN b {.*} AS props, [(b)-[:FOR_EVENT]->(e:LifeEvent) | e.id][0] AS eventId,
  COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order } AS serviceIds
ORDER BY b.id
