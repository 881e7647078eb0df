// One page of services, optionally of one life event and/or one agency, by id, and the total.
CALL () {
  MATCH (s:Service)
  WHERE ($lifeEvent IS NULL OR EXISTS { (s)-[:GROUPED_BY]->(:LifeEvent {id: $lifeEvent}) })
    AND ($agency IS NULL OR EXISTS { (s)-[:PROVIDED_BY]->(:Agency {id: $agency}) })
  RETURN count(s) AS total
}
CALL () {
  MATCH (s:Service)
  WHERE ($lifeEvent IS NULL OR EXISTS { (s)-[:GROUPED_BY]->(:LifeEvent {id: $lifeEvent}) })
    AND ($agency IS NULL OR EXISTS { (s)-[:PROVIDED_BY]->(:Agency {id: $agency}) })
  WITH s ORDER BY s.id
  SKIP $offset LIMIT $limit
  RETURN collect(s) AS page
}
UNWIND CASE WHEN size(page) = 0 THEN [null] ELSE range(0, size(page) - 1) END AS i
WITH total, i, page[i] AS s
RETURN total, s {.*} AS props,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order } AS eventIds,
  COLLECT { MATCH (s)-[r:REQUIRES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(x:Service) RETURN x.id ORDER BY x.id } AS prerequisiteIds,
  COLLECT { MATCH (s)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(x:Channel) RETURN x.id ORDER BY x.id } AS channelIds,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a.id][0] AS agencyId
ORDER BY i
