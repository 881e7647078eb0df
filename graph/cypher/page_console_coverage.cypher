// Coverage per life stage and event: services, approved and suggested datasets (an event counts under each stage).
MATCH (st:LifeStage)
RETURN st {.id, .nameZh, .nameEn} AS stage,
  COLLECT {
    MATCH (e:LifeEvent)-[:PART_OF]->(st)
    RETURN {
      event: e {.id, .nameZh, .nameEn},
      services: COUNT { (e)<-[:GROUPED_BY]-(:Service) },
      approved: COUNT { (d:Dataset)-[r:RELEVANT_TO]->(e) WHERE r.status = 'approved' AND coalesce(d.state, 'active') = 'active' },
      suggested: COUNT { (d:Dataset)-[r:RELEVANT_TO]->(e) WHERE r.status = 'suggested' AND coalesce(d.state, 'active') = 'active' }
    } ORDER BY e.id
  } AS events
ORDER BY st.order, st.id
