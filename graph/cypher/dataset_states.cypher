// The stored state of one portal's datasets: tells new / updated / unchanged apart and finds withdrawals.
MATCH (d:Dataset)
WHERE d.portal = $portal
RETURN d.ckanId AS ckanId, d.name AS name, d.contentHash AS hash, d.loadVersion AS version, d.state AS state
