// Life events by id, with the ids of their stages (in the catalog's order), criteria and triggers.
UNWIND $ids AS id
MATCH (e:LifeEvent {id: id})
RETURN e {.*} AS props,
  COLLECT { MATCH (e)-[p:PART_OF]->(x:LifeStage) RETURN x.id ORDER BY p.order } AS stageIds,
  COLLECT { MATCH (e)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (e)-[:TRIGGERED_BY]->(x:Criterion) RETURN x.id ORDER BY x.id } AS triggerIds
