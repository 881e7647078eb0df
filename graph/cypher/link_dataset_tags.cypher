// Tags freshly written datasets; a tag node is shared by every dataset (of any portal) with the same lang:name.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.id})
UNWIND row.links AS props
MERGE (t:Tag {id: props.id})
ON CREATE SET t += props
CREATE (d)-[:TAGGED]->(t)
