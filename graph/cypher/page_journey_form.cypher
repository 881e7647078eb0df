// What the journey form offers: each life event once under its first stage, the documents services ask for most,
// and the regions that eligibility rules name.
CALL () {
  MATCH (st:LifeStage)
  WITH st ORDER BY st.order, st.id
  RETURN collect({
    stage: st {.id, .nameZh, .nameEn},
    events: COLLECT { MATCH (e:LifeEvent)-[:PART_OF {order: 0}]->(st) RETURN e {.id, .nameZh, .nameEn} ORDER BY e.id }
  }) AS stages
}
CALL () {
  MATCH (d:Evidence)<-[:REQUIRES]-(s:Service)
  WITH d, count(s) AS uses
  ORDER BY uses DESC, d.id
  LIMIT $documents
  RETURN collect(d {.id, .nameZh, .nameEn}) AS documents
}
CALL () {
  MATCH (c:Criterion {kind: 'region'})
  UNWIND c.values AS region
  WITH DISTINCT region ORDER BY region
  RETURN collect(region) AS regions
}
RETURN stages, documents, regions
