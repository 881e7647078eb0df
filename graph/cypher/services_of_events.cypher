// The services of each life event, by service id, with the ids they link to.
UNWIND $ids AS eventId
MATCH (s:Service)-[:GROUPED_BY]->(:LifeEvent {id: eventId})
RETURN eventId, s {.*} AS props,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order } AS eventIds,
  COLLECT { MATCH (s)-[r:REQUIRES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(x:Service) RETURN x.id ORDER BY x.id } AS prerequisiteIds,
  COLLECT { MATCH (s)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(x:Channel) RETURN x.id ORDER BY x.id } AS channelIds,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a.id][0] AS agencyId
ORDER BY eventId, s.id
