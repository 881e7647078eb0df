// Registers a portal to harvest by name (or changes its URL and default language). Harvest bookkeeping kept on the
// node by the loader (watermark, lastSuccessfulRunAt, title, ckanVersion) is left as it is.
MERGE (p:Portal {id: $name})
  ON CREATE SET p.registeredAt = $at
SET p.url = $url, p.defaultLanguage = $language
