UNWIND $rows AS row
MERGE (n:LifeEvent {id: row.id})
SET n += row.props, n.contentHash = row.hash
WITH n, row
CALL (n) {
  MATCH (n)-[r:PART_OF|HAS_CRITERION|TRIGGERED_BY]->()
  DELETE r
}
CALL (n, row) {
  UNWIND range(0, size(row.stages) - 1) AS i
  MATCH (s:LifeStage {id: row.stages[i]})
  MERGE (n)-[r:PART_OF]->(s)
  SET r.order = i
}
CALL (n, row) {
  UNWIND row.criteria AS cid
  MATCH (c:Criterion {id: cid})
  MERGE (n)-[:HAS_CRITERION]->(c)
}
CALL (n, row) {
  UNWIND row.triggers AS cid
  MATCH (c:Criterion {id: cid})
  MERGE (n)-[:TRIGGERED_BY]->(c)
}
