// Agencies by id.
UNWIND $ids AS id
MATCH (a:Agency {id: id})
RETURN a {.*} AS props
