UNWIND $rows AS row
MERGE (n:Criterion {id: row.id})
SET n += row.props, n.contentHash = row.hash
