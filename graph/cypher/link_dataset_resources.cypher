// Writes the resources of freshly written datasets and links them; one row per dataset, with its resources.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
UNWIND row.links AS props
MERGE (x:Resource {id: props.id})
SET x += props
CREATE (d)-[:HAS_RESOURCE]->(x)
