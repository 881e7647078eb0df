// Eligibility criteria by id.
UNWIND $ids AS id
MATCH (c:Criterion {id: id})
RETURN c {.*} AS props
