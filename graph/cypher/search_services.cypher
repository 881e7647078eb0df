// Every service with the names of the documents it requires and produces, its agency and its life-event ids, for
// the search index.
MATCH (s:Service)
RETURN s {.id, .nameZh, .nameEn, .descriptionZh, .descriptionEn} AS props,
  COLLECT { MATCH (s)-[r:REQUIRES|PRODUCES]->(x:Evidence) RETURN x {.nameZh, .nameEn} ORDER BY type(r), r.order }
    AS related,
  COLLECT { MATCH (s)-[r:GROUPED_BY]->(x:LifeEvent) RETURN x.id ORDER BY r.order } AS eventIds,
  [(s)-[:PROVIDED_BY]->(a:Agency) | a {.nameZh, .nameEn}][0] AS agency
ORDER BY s.id
