// One service with everything its page shows: agency, channels, documents, prerequisites, events, bundles, rules.
MATCH (s:Service {id: $id})
RETURN s {.*} AS service,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a {.*}][0] AS agency,
  COLLECT { MATCH (s)-[:AVAILABLE_THROUGH]->(c:Channel) RETURN c {.*} ORDER BY c.id } AS channels,
  COLLECT { MATCH (s)-[r:REQUIRES]->(d:Evidence) RETURN d {.*} ORDER BY r.order } AS requires,
  COLLECT { MATCH (s)-[r:PRODUCES]->(d:Evidence) RETURN d {.*} ORDER BY r.order } AS produces,
  COLLECT { MATCH (s)-[:HAS_PREREQUISITE]->(p:Service) RETURN p {.id, .nameZh, .nameEn} ORDER BY p.id } AS prerequisites,
  COLLECT { MATCH (n:Service)-[:HAS_PREREQUISITE]->(s) RETURN n {.id, .nameZh, .nameEn} ORDER BY n.id } AS neededFor,
  COLLECT { MATCH (s)-[g:GROUPED_BY]->(e:LifeEvent) RETURN e {.id, .nameZh, .nameEn} ORDER BY g.order } AS events,
  COLLECT { MATCH (b:Bundle)-[:INCLUDES]->(s) RETURN b {.id, .nameZh, .nameEn} ORDER BY b.id } AS bundles,
  COLLECT { MATCH (s)-[:HAS_CRITERION]->(c:Criterion) RETURN c {.*} ORDER BY c.id } AS criteria
