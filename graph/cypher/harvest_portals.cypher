// Portals (one by name, or all), each with how many of its datasets are active and withdrawn.
MATCH (p:Portal)
WHERE $name IS NULL OR p.id = $name
RETURN p {.*} AS portal,
       COUNT { MATCH (d:Dataset) WHERE d.portal = p.id AND d.state = 'active' } AS active,
       COUNT { MATCH (d:Dataset) WHERE d.portal = p.id AND d.state = 'withdrawn' } AS withdrawn
ORDER BY p.id
