// One life stage, its neighbours on the road, and its life events with counts of services and approved datasets.
MATCH (st:LifeStage {id: $id})
RETURN st {.*} AS stage,
  COLLECT {
    MATCH (e:LifeEvent)-[:PART_OF]->(st)
    WITH e ORDER BY COUNT { (e)<-[:GROUPED_BY]-(:Service) } DESC, e.id
    RETURN {
      props: e {.id, .nameZh, .nameEn, .descriptionZh, .descriptionEn},
      services: COUNT { (e)<-[:GROUPED_BY]-(:Service) },
      datasets: COUNT { (d:Dataset)-[r:RELEVANT_TO]->(e) WHERE r.status = 'approved' AND coalesce(d.state, 'active') = 'active' }
    }
  } AS events,
  COLLECT { MATCH (p:LifeStage) WHERE p.order < st.order RETURN p {.id, .nameZh, .nameEn} ORDER BY p.order DESC LIMIT 1 } AS previous,
  COLLECT { MATCH (n:LifeStage) WHERE n.order > st.order RETURN n {.id, .nameZh, .nameEn} ORDER BY n.order LIMIT 1 } AS following
