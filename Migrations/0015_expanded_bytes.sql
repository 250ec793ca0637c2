-- trustaudit schema, part 15: how much text each stored workflow took to read.
--
-- `expanded_bytes` is the text the parser walked with YAML aliases expanded. Facts read under one
-- `max_expanded_bytes` are reused under another only when they fit it, so lowering the limit
-- refuses an alias-heavy file already stored instead of silently keeping its facts. Documents
-- stored before this column existed have NULL and are read again once.

ALTER TABLE wf_documents ADD COLUMN expanded_bytes INTEGER CHECK (expanded_bytes IS NULL OR expanded_bytes >= 0);
