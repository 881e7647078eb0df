// Links freshly written datasets to the portal's groups they belong to (portal-scoped id), updating their names.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
UNWIND row.links AS props
MERGE (g:Group {id: props.id})
SET g += props
CREATE (d)-[:IN_GROUP]->(g)
