// Creates datasets the run found new, with their links, unwinding the rows once: the dataset and its resources are
// CREATEd (the uniqueness constraints still guard them: a node that exists after all fails the whole batch, which the
// loader then rewrites with MERGE); tags, organisations and groups are shared and MERGEd. Resources an earlier record
// of the run also lists are not in row.resources: link_dataset_resources MERGEs them after this statement.
MATCH (p:Portal {id: $portal})
UNWIND $rows AS row
CREATE (d:Dataset)
SET d = row.props,
    d.withdrawnAt = CASE WHEN row.props.state = 'withdrawn' THEN row.props.harvestedAt END
CREATE (d)-[:FROM_PORTAL]->(p)
FOREACH (props IN row.resources | CREATE (d)-[:HAS_RESOURCE]->(x:Resource) SET x = props)
FOREACH (props IN row.tags | MERGE (t:Tag {id: props.id}) ON CREATE SET t += props CREATE (d)-[:TAGGED]->(t))
FOREACH (props IN row.organizations |
  MERGE (o:Organization {id: props.id}) SET o += props CREATE (d)-[:PUBLISHED_BY]->(o))
FOREACH (props IN row.groups | MERGE (g:Group {id: props.id}) SET g += props CREATE (d)-[:IN_GROUP]->(g))
