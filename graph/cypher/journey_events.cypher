// Everything needed to choose life events for a profile: stages, events with their stages and criteria, and the
// catalog version they belong to (null when no catalog load has recorded one).
CALL () {
  OPTIONAL MATCH (v:CatalogVersion {id: 'catalog'})
  RETURN v.version AS version
}
CALL () {
  MATCH (st:LifeStage)
  RETURN collect(st {.*}) AS stages
}
CALL () {
  MATCH (e:LifeEvent)
  OPTIONAL MATCH (e)-[p:PART_OF]->(st:LifeStage)
  WITH e, st ORDER BY p.order
  WITH e, collect(st.id) AS stageIds
  RETURN collect({
    props: e {.*},
    stageIds: stageIds,
    criterionIds: COLLECT { MATCH (e)-[:HAS_CRITERION]->(c:Criterion) RETURN c.id ORDER BY c.id },
    triggerIds: COLLECT { MATCH (e)-[:TRIGGERED_BY]->(c:Criterion) RETURN c.id ORDER BY c.id }
  }) AS events
}
CALL () {
  MATCH (c:Criterion)
  RETURN collect(c {.*}) AS criteria
}
RETURN version, stages, events, criteria
