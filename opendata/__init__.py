"""Open data from CKAN portals: harvest (``harvest``), normalise (``normalise``) into frozen records (``records``) and
write or read JSON-lines snapshots (``snapshot``). Talks to CKAN only, through ckanapi's ``call_action``."""
