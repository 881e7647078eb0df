// Datasets by id ("<portal>:<ckanId>"), with their publishing organisation and tag names (any relationship type,
// so these reads do not depend on how the harvest links them).
UNWIND $ids AS id
MATCH (d:Dataset {id: id})
RETURN d {.*} AS props,
  [(d)--(o:Organization) | o {.*}][0] AS organization,
  COLLECT { MATCH (d)--(t:Tag) RETURN DISTINCT coalesce(t.name, t.id) AS tag ORDER BY tag } AS tags
