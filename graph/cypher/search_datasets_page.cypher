// One page of active datasets in id order after $after (keyset paging), with what the search index holds of each:
// texts, organisation, groups, tags, resource formats and life-event links.
MATCH (d:Dataset)
WHERE d.id > $after AND coalesce(d.state, 'active') = 'active'
WITH d
ORDER BY d.id
LIMIT $limit
RETURN d {.id, .portal, .state, .title, .titlesJson, .description, .descriptionsJson, .licenceId, .licenceTitle,
          .modified, .contentHash, .loadVersion} AS props,
  [(d)-[:PUBLISHED_BY]->(o:Organization) | o {.name, .title, .titlesJson}][0] AS organization,
  COLLECT { MATCH (d)-[:IN_GROUP]->(g:Group) RETURN g {.name, .title, .titlesJson} ORDER BY g.id } AS groups,
  COLLECT { MATCH (d)-[:TAGGED]->(t:Tag) RETURN t {.name, .lang} ORDER BY t.id } AS tags,
  COLLECT { MATCH (d)-[:HAS_RESOURCE]->(r:Resource) WHERE r.format IS NOT NULL
            RETURN DISTINCT toUpper(r.format) AS format ORDER BY format } AS formats,
  COLLECT { MATCH (d)-[l:RELEVANT_TO]->(e:LifeEvent)
            RETURN {eventId: e.id, status: l.status, nameZh: e.nameZh, nameEn: e.nameEn} AS link
            ORDER BY link.eventId } AS links
