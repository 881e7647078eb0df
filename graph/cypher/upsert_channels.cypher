UNWIND $rows AS row
MERGE (n:Channel {id: row.id})
SET n += row.props
