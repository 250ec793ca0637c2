-- trustaudit schema, part 10: what each live collection cost.
--
-- A live scan records, per service, how many REST requests it sent (and how many a 304 or the
-- cache answered) and how many GraphQL queries and rate-limit points it spent, so `trustaudit
-- scans` shows whether nightly collections stay within GitHub's limits. One row per scan and
-- service; scans without live sources have none.
CREATE TABLE scan_api_usage (
    scan_id          INTEGER NOT NULL,
    service          TEXT NOT NULL,       -- 'github'
    repositories     INTEGER NOT NULL,
    rest_requests    INTEGER NOT NULL,    -- sent over the network, retries included
    not_modified     INTEGER NOT NULL,    -- of which answered 304 (free on GitHub's primary limit)
    cache_hits       INTEGER NOT NULL,    -- immutable content answered from the cache, no request
    graphql_requests INTEGER NOT NULL,
    graphql_cost     INTEGER NOT NULL,    -- the sum of each answer's rateLimit { cost }
    seconds          REAL,                -- wall time of the collection
    PRIMARY KEY (scan_id, service)
) WITHOUT ROWID;
