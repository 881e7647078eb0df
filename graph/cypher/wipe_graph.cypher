// Deletes every node and relationship (not the schema), in batches so a large graph fits in memory.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
