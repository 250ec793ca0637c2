-- trustaudit schema, part 24: which build recorded a file stamp.
--
-- Why: a file stamp carries, besides the content's hash, the local actions found in the file's
-- text, which this build's reading rules decided. A row recorded by another build (or a version
-- of those rules) is not used: the file is read once more and recorded again.

ALTER TABLE file_stamps ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
