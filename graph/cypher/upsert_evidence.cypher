UNWIND $rows AS row
MERGE (n:Evidence {id: row.id})
SET n += row.props, n.contentHash = row.hash
