// The life events of each stage, by event id, with the ids they link to.
UNWIND $ids AS stageId
MATCH (e:LifeEvent)-[:PART_OF]->(:LifeStage {id: stageId})
RETURN stageId, e {.*} AS props,
  COLLECT { MATCH (e)-[p:PART_OF]->(x:LifeStage) RETURN x.id ORDER BY p.order } AS stageIds,
  COLLECT { MATCH (e)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (e)-[:TRIGGERED_BY]->(x:Criterion) RETURN x.id ORDER BY x.id } AS triggerIds
ORDER BY stageId, e.id
