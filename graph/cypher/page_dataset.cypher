// One dataset with its provenance: portal, organisation, resources, tags, and the life events it was approved for.
MATCH (d:Dataset {id: $id})
RETURN d {.*} AS dataset,
  [(d)--(p:Portal) | p {.*}][0] AS portal,
  [(d)--(o:Organization) | o {.*}][0] AS organization,
  COLLECT { MATCH (d)--(r:Resource) RETURN r {.*} ORDER BY coalesce(r.name, ''), r.id } AS resources,
  COLLECT { MATCH (d)--(t:Tag) RETURN DISTINCT coalesce(t.name, t.id) AS tag ORDER BY tag } AS tags,
  COLLECT {
    MATCH (d)-[l:RELEVANT_TO]->(e:LifeEvent) WHERE l.status = 'approved'
    RETURN e {.id, .nameZh, .nameEn} ORDER BY coalesce(l.score, 0.0) DESC, e.id
  } AS events
