// Life stages by id (ids not in the graph are absent).
UNWIND $ids AS id
MATCH (st:LifeStage {id: id})
RETURN st {.*} AS props
