-- trustaudit schema, part 9: a cached answer keeps its `Link` header.
--
-- GitHub answers a conditional request for an unchanged page with `304 Not Modified` and no
-- `Link` header; the cached answer stands for the whole response, so its `Link` (the next page)
-- must be cached with it, or pagination stops after the first unchanged page.
--
-- Conditional entries cached before this migration did not keep their `Link`, so they cannot
-- stand for a whole answer: they are dropped and fetched once more. Immutable entries (git objects
-- by SHA, `etag` NULL) have no pagination and stay.
ALTER TABLE http_cache ADD COLUMN link TEXT;
DELETE FROM http_cache WHERE etag IS NOT NULL;
