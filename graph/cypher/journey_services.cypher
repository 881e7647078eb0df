// Services of the chosen life events, pulled-in prerequisites (transitively), their documents and bundles.
MATCH (e:LifeEvent) WHERE e.id IN $eventIds
MATCH (e)<-[:GROUPED_BY]-(s:Service)
WITH collect(DISTINCT s) AS direct
CALL (direct) {
  UNWIND direct AS s
  OPTIONAL MATCH (s)-[:HAS_PREREQUISITE*1..10]->(p:Service)
  RETURN collect(DISTINCT p) AS pulled
}
WITH [x IN direct + pulled WHERE x IS NOT NULL] AS all
UNWIND all AS s
WITH DISTINCT s
RETURN s {.*} AS props,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order } AS eventIds,
  COLLECT { MATCH (s)-[r:REQUIRES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(x:Service) RETURN x.id ORDER BY x.id } AS prerequisiteIds,
  COLLECT { MATCH (s)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(x:Channel) RETURN x.id ORDER BY x.id } AS channelIds,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a.id][0] AS agencyId
ORDER BY s.id
