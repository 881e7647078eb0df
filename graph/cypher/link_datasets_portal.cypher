// Links freshly written (or unlinked) datasets to their portal; CREATE, since unlink_datasets removed old links.
MATCH (p:Portal {id: $portal})
UNWIND $ids AS id
MATCH (d:Dataset {id: id})
CREATE (d)-[:FROM_PORTAL]->(p)
