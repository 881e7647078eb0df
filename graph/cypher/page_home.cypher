// The road of life: every life stage in order, with its life events (those with most services first).
MATCH (st:LifeStage)
RETURN st {.*} AS stage,
  COLLECT {
    MATCH (e:LifeEvent)-[:PART_OF]->(st)
    WITH e ORDER BY COUNT { (e)<-[:GROUPED_BY]-(:Service) } DESC, e.id
    RETURN e {.id, .nameZh, .nameEn}
  } AS events
ORDER BY st.order, st.id
