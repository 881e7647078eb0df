// The bundles of each life event, by bundle id.
UNWIND $ids AS eventId
MATCH (b:Bundle)-[:FOR_EVENT]->(:LifeEvent {id: eventId})
RETURN eventId AS key, b {.*} AS props, eventId,
  COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s.id ORDER BY r.order } AS serviceIds
ORDER BY key, b.id
