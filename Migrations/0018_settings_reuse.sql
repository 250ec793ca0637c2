-- trustaudit schema, part 18: reading only the settings documents that changed.
--
-- `ingest_base` is the hash of what besides a repository's own settings document decides the
-- rows ingested from it: the organization settings documents and the tool's version. A scan
-- whose base equals that of the latest complete scan that ingested its own snapshot copies the
-- rows of every repository settings document it was given byte for byte unchanged, instead of
-- decoding the document again.
ALTER TABLE scans ADD COLUMN ingest_base TEXT;
