UNWIND $rows AS row
MERGE (n:LifeStage {id: row.id})
SET n += row.props, n.contentHash = row.hash
