// Per life event, how many active datasets (of one portal, or all) link to it, by link status.
MATCH (e:LifeEvent)
OPTIONAL MATCH (d:Dataset)-[r:RELEVANT_TO]->(e)
WHERE d.state = 'active' AND ($portal IS NULL OR d.portal = $portal)
RETURN e.id AS event, r.status AS status, count(d) AS datasets
ORDER BY event, status
