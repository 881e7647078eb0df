UNWIND $rows AS row
MERGE (n:Bundle {id: row.id})
SET n += row.props, n.contentHash = row.hash
WITH n, row
CALL (n) {
  MATCH (n)-[r:INCLUDES|FOR_EVENT]->()
  DELETE r
}
CALL (n, row) {
  UNWIND range(0, size(row.services) - 1) AS i
  MATCH (s:Service {id: row.services[i]})
  MERGE (n)-[r:INCLUDES]->(s)
  SET r.order = i
}
CALL (n, row) {
  MATCH (e:LifeEvent {id: row.event})
  MERGE (n)-[:FOR_EVENT]->(e)
}
