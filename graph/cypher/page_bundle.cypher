// One "one thing" bundle: its life event and its services in order, with agencies.
MATCH (b:Bundle {id: $id})
RETURN b {.*} AS bundle,
  [(b)-[:FOR_EVENT]->(e:LifeEvent) | e {.id, .nameZh, .nameEn}][0] AS event,
  COLLECT {
    MATCH (b)-[r:INCLUDES]->(s:Service)
    RETURN {props: s {.*}, agency: [(s)-[:PROVIDED_BY]->(a:Agency) | a {.*}][0]} ORDER BY r.order
  } AS services
