// Links freshly written datasets to their publishing organisation (portal-scoped id), updating its names.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
UNWIND row.links AS props
MERGE (o:Organization {id: props.id})
SET o += props
CREATE (d)-[:PUBLISHED_BY]->(o)
