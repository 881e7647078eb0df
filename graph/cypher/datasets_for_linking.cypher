// One page of active datasets (of one portal, or all) in id order after $after: their texts, tags, groups and
// current life-event links, for the linker.
MATCH (d:Dataset)
WHERE d.id > $after AND d.state = 'active' AND ($portal IS NULL OR d.portal = $portal)
WITH d
ORDER BY d.id
LIMIT $limit
RETURN d.id AS id, d.title AS title, d.titlesJson AS titles, d.description AS description,
       d.descriptionsJson AS descriptions, d.themes AS themes,
       COLLECT { MATCH (d)-[:TAGGED]->(t:Tag) RETURN [t.lang, t.name] } AS tags,
       COLLECT { MATCH (d)-[:IN_GROUP]->(g:Group) RETURN [g.name, g.titlesJson] } AS groups,
       COLLECT {
         MATCH (d)-[r:RELEVANT_TO]->(e:LifeEvent)
         RETURN {event: e.id, status: r.status, score: r.score, terms: r.matchedTerms, reason: r.reason}
       } AS links
