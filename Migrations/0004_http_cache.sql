-- trustaudit schema, part 4: the live collectors' conditional-request cache.
--
-- A nightly `trustaudit scan --github-org …` asks GitHub again for every tree, environment list
-- and setting. With the ETag of the last answer in `If-None-Match`, an unchanged resource comes
-- back as `304 Not Modified`, which GitHub does not count against the primary rate limit; the
-- body is then taken from here. Git trees and blobs fetched by SHA never change, so they are
-- served from here without any request at all (`etag` NULL).
--
-- Keyed by the request URL only: no request header is stored, so no token or API key can be
-- here. Response bodies are redacted of the credential before they are stored.
CREATE TABLE http_cache (
    url        TEXT PRIMARY KEY,
    etag       TEXT,             -- the response's ETag; NULL for immutable content (by SHA)
    body       BLOB NOT NULL,
    fetched_at TEXT NOT NULL     -- when the body was last confirmed (200 or 304), ISO 8601 UTC
) WITHOUT ROWID;
CREATE INDEX http_cache_fetched ON http_cache(fetched_at);
