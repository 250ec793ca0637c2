-- trustaudit schema, part 21: what each workflow file read from disk looked like, so that an
-- unchanged file is not read again.
--
-- Why: a nightly scan of 10,000 checkouts read and hashed all 29,000 workflow files to find the
-- few that changed. A file whose device, inode, size, mtime and ctime are as recorded has not
-- been written since (see FileStamp), so its recorded hash stands for its content. Only files
-- that had settled when read are recorded, and a row is used only while its hash's facts are
-- stored. `prune` removes the rows whose content it removed.

CREATE TABLE file_stamps (
    path          BLOB PRIMARY KEY,     -- the path as opened, as bytes (a name need not be UTF-8)
    device        INTEGER NOT NULL,
    inode         INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    modified_ns   INTEGER NOT NULL,     -- mtime, nanoseconds since 1970
    changed_ns    INTEGER NOT NULL,     -- ctime, nanoseconds since 1970
    hash          TEXT NOT NULL,        -- SHA-256 of the content, as blobs.hash
    local_actions TEXT NOT NULL         -- the `uses: ./…` references in its text, one per line
) WITHOUT ROWID;
