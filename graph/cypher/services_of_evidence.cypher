// For each document: the services that produce it and those that require it, by service id, with their links.
UNWIND $ids AS evidenceId
MATCH (s:Service)-[use:PRODUCES|REQUIRES]->(:Evidence {id: evidenceId})
RETURN evidenceId, CASE type(use) WHEN 'PRODUCES' THEN 'producer' ELSE 'consumer' END AS role, s {.*} AS props,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order } AS eventIds,
  COLLECT { MATCH (s)-[r:REQUIRES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(x:Evidence) RETURN x.id ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(x:Service) RETURN x.id ORDER BY x.id } AS prerequisiteIds,
  COLLECT { MATCH (s)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(x:Channel) RETURN x.id ORDER BY x.id } AS channelIds,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a.id][0] AS agencyId
ORDER BY evidenceId, s.id
