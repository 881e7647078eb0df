UNWIND $rows AS row
MERGE (n:Service {id: row.id})
SET n += row.props, n.contentHash = row.hash
WITH n, row
CALL (n) {
  MATCH (n)-[r:GROUPED_BY|REQUIRES|PRODUCES|HAS_PREREQUISITE|PROVIDED_BY|AVAILABLE_THROUGH|HAS_CRITERION]->()
  DELETE r
}
CALL (n, row) {
  UNWIND range(0, size(row.events) - 1) AS i
  MATCH (e:LifeEvent {id: row.events[i]})
  MERGE (n)-[r:GROUPED_BY]->(e)
  SET r.order = i
}
CALL (n, row) {
  UNWIND range(0, size(row.requires) - 1) AS i
  MATCH (d:Evidence {id: row.requires[i]})
  MERGE (n)-[r:REQUIRES]->(d)
  SET r.order = i
}
CALL (n, row) {
  UNWIND range(0, size(row.produces) - 1) AS i
  MATCH (d:Evidence {id: row.produces[i]})
  MERGE (n)-[r:PRODUCES]->(d)
  SET r.order = i
}
CALL (n, row) {
  UNWIND row.prerequisites AS pid
  MERGE (p:Service {id: pid})
  MERGE (n)-[:HAS_PREREQUISITE]->(p)
}
CALL (n, row) {
  UNWIND row.channels AS cid
  MATCH (c:Channel {id: cid})
  MERGE (n)-[:AVAILABLE_THROUGH]->(c)
}
CALL (n, row) {
  UNWIND row.criteria AS cid
  MATCH (c:Criterion {id: cid})
  MERGE (n)-[:HAS_CRITERION]->(c)
}
CALL (n, row) {
  WITH row WHERE row.agency IS NOT NULL
  MATCH (a:Agency {id: row.agency})
  MERGE (n)-[:PROVIDED_BY]->(a)
}
