// Removes the harvested links of datasets about to be rewritten; resources the record no longer lists are deleted.
// RELEVANT_TO (the linker's and data officers' links) is not touched.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
CALL (d, row) {
  MATCH (d)-[:HAS_RESOURCE]->(x:Resource)
  WHERE NOT x.id IN row.resourceIds
  DETACH DELETE x
}
CALL (d) {
  MATCH (d)-[r:FROM_PORTAL|PUBLISHED_BY|HAS_RESOURCE|TAGGED|IN_GROUP]->()
  DELETE r
}
