// Datasets by id (withdrawn ones too: their state says so) with what the search index holds of each, as in
// search_datasets_page.
UNWIND $ids AS id
MATCH (d:Dataset {id: id})
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
