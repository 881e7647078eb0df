// Every life event with the names of its stages, for the search index.
MATCH (e:LifeEvent)
RETURN e {.id, .nameZh, .nameEn, .descriptionZh, .descriptionEn} AS props,
  COLLECT { MATCH (e)-[p:PART_OF]->(st:LifeStage) RETURN st {.nameZh, .nameEn} ORDER BY p.order } AS related,
  [e.id] AS eventIds, null AS agency
ORDER BY e.id
