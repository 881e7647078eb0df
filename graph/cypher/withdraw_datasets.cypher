// Marks active datasets withdrawn (never deletes them: their properties and links stay inspectable).
UNWIND $ids AS id
MATCH (d:Dataset {id: id})
WHERE d.state = 'active'
SET d.state = 'withdrawn', d.withdrawnAt = $at
RETURN count(d) AS withdrawn
