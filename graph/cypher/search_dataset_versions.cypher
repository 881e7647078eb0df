// One page of active datasets in id order after $after, with only what their search-index version is made of: the
// content hash and load version (with the title and modification time, for datasets written without a hash), the
// organisation's and groups' titles, and the life-event links with the events' names (graph.reads_search).
MATCH (d:Dataset)
WHERE d.id > $after AND coalesce(d.state, 'active') = 'active'
WITH d
ORDER BY d.id
LIMIT $limit
RETURN d {.id, .state, .title, .modified, .contentHash, .loadVersion} AS props,
  [(d)-[:PUBLISHED_BY]->(o:Organization) | o {.name, .title, .titlesJson}][0] AS organization,
  COLLECT { MATCH (d)-[:IN_GROUP]->(g:Group) RETURN g {.name, .title, .titlesJson} ORDER BY g.id } AS groups,
  COLLECT { MATCH (d)-[l:RELEVANT_TO]->(e:LifeEvent)
            RETURN {eventId: e.id, status: l.status, nameZh: e.nameZh, nameEn: e.nameEn} AS link
            ORDER BY link.eventId } AS links
