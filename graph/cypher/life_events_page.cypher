// One page of life events, optionally of one stage, in road order (earliest stage first, then id), and the total.
CALL () {
  MATCH (e:LifeEvent)
  WHERE $stage IS NULL OR EXISTS { (e)-[:PART_OF]->(:LifeStage {id: $stage}) }
  RETURN count(e) AS total
}
CALL () {
  MATCH (e:LifeEvent)
  WHERE $stage IS NULL OR EXISTS { (e)-[:PART_OF]->(:LifeStage {id: $stage}) }
  WITH e, coalesce(COLLECT { MATCH (e)-[:PART_OF]->(x:LifeStage) RETURN min(x.order) }[0], 1000000) AS rank
  ORDER BY rank, e.id
  SKIP $offset LIMIT $limit
  RETURN collect(e) AS page
}
UNWIND CASE WHEN size(page) = 0 THEN [null] ELSE range(0, size(page) - 1) END AS i
WITH total, i, page[i] AS e
RETURN total, e {.*} AS props,
  COLLECT { MATCH (e)-[p:PART_OF]->(x:LifeStage) RETURN x.id ORDER BY p.order } AS stageIds,
  COLLECT { MATCH (e)-[:HAS_CRITERION]->(x:Criterion) RETURN x.id ORDER BY x.id } AS criterionIds,
  COLLECT { MATCH (e)-[:TRIGGERED_BY]->(x:Criterion) RETURN x.id ORDER BY x.id } AS triggerIds
ORDER BY i
