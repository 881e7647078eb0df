// Every life stage with the names of its life events, for the search index.
MATCH (st:LifeStage)
RETURN st {.id, .nameZh, .nameEn, .descriptionZh, .descriptionEn} AS props,
  COLLECT { MATCH (e:LifeEvent)-[:PART_OF]->(st) RETURN e {.nameZh, .nameEn} ORDER BY e.id } AS related,
  [] AS eventIds, null AS agency
ORDER BY st.id
