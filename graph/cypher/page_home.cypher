// The road of life: every life stage in order, with the names of its life events.
MATCH (st:LifeStage)
RETURN st {.*} AS stage,
  COLLECT {
    MATCH (e:LifeEvent)-[:PART_OF]->(st)
    RETURN e {.id, .nameZh, .nameEn} ORDER BY e.id
  } AS events
ORDER BY st.order, st.id
