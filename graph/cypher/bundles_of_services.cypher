// The bundles each service is part of, by bundle id.
UNWIND $ids AS serviceId
MATCH (b:Bundle)-[:INCLUDES]->(:Service {id: serviceId})
RETURN serviceId AS key, b {.*} AS props, [(b)-[:FOR_EVENT]->(e:LifeEvent) | e.id][0] AS eventId,
  COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order } AS serviceIds
ORDER BY key, b.id
