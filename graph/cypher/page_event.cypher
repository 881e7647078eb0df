// One life event: its stages, services (with agency), bundles and the datasets an officer approved for it.
MATCH (e:LifeEvent {id: $id})
RETURN e {.*} AS event,
  COLLECT { MATCH (e)-[p:PART_OF]->(st:LifeStage) RETURN st {.id, .nameZh, .nameEn} ORDER BY p.order } AS stages,
  COLLECT {
    MATCH (s:Service)-[g:GROUPED_BY]->(e)
    RETURN {props: s {.*}, agency: [(s)-[:PROVIDED_BY]->(a:Agency) | a {.*}][0]} ORDER BY g.order, s.id
  } AS services,
  COLLECT {
    MATCH (b:Bundle)-[:FOR_EVENT]->(e)
    RETURN {props: b {.*}, services: COUNT { (b)-[:INCLUDES]->(:Service) }} ORDER BY b.id
  } AS bundles,
  COLLECT {
    MATCH (d:Dataset)-[r:RELEVANT_TO]->(e)
    WHERE r.status = 'approved' AND coalesce(d.state, 'active') = 'active'
    RETURN d {.*} ORDER BY r.score DESC, d.id LIMIT 50
  } AS datasets
