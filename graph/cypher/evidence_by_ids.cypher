// Documents (evidence) by id.
UNWIND $ids AS id
MATCH (d:Evidence {id: id})
RETURN d {.*} AS props
