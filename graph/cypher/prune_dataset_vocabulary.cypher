// Deletes tags, organisations and groups no dataset links to any more (after links were replaced).
CALL () {
  MATCH (t:Tag) WHERE NOT (t)--() DELETE t
}
CALL () {
  MATCH (o:Organization) WHERE NOT (o)--() DELETE o
}
CALL () {
  MATCH (g:Group) WHERE NOT (g)--() DELETE g
}
