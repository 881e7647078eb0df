// What the next harvest of a portal starts from: its watermark, last success, and the datasets it holds.
OPTIONAL MATCH (p:Portal {id: $portal})
RETURN p {.*} AS portal,
       COLLECT {
         MATCH (d:Dataset) WHERE d.portal = $portal AND d.state = 'active'
         RETURN [d.ckanId, d.name]
       } AS known
