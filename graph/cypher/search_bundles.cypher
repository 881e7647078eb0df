// Every bundle with its window, the names of its services and its life event, for the search index.
MATCH (b:Bundle)
RETURN b {.id, .nameZh, .nameEn, .descriptionZh, .descriptionEn} AS props,
  [{nameZh: b.windowZh, nameEn: b.windowEn}]
    + COLLECT { MATCH (b)-[r:INCLUDES]->(s:Service) RETURN s {.nameZh, .nameEn} ORDER BY r.order } AS related,
  COLLECT { MATCH (b)-[:FOR_EVENT]->(e:LifeEvent) RETURN e.id ORDER BY e.id } AS eventIds, null AS agency
ORDER BY b.id
