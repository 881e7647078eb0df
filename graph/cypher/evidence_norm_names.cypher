// Every document by normalised name, so an imported material of the same name reuses that Evidence node.
MATCH (e:Evidence) WHERE e.normName IS NOT NULL
RETURN e.normName AS normName, e.id AS id
