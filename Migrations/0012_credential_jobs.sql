-- trustaudit schema, part 12: the jobs that hold deployment credentials.
--
-- Several policies audit only jobs where a weakness hands over credentials: those that can mint
-- OIDC tokens, log in to Octopus, or receive an Octopus API key. One definition, here.

CREATE VIEW credential_jobs AS
SELECT repository, file, job, 'id-token: write' AS credential FROM oidc_jobs
UNION
SELECT repository, file, job,
       CASE WHEN lower(action) = 'octopusdeploy/login' AND json_extract(with_json, '$.api_key') IS NULL
            THEN 'Octopus login' ELSE 'Octopus API key' END
FROM steps
WHERE lower(action) = 'octopusdeploy/login'
   OR (lower(action) LIKE 'octopusdeploy/%' AND json_extract(with_json, '$.api_key') IS NOT NULL)
   -- `instr` first: most steps name no secret; GitHub's contexts ignore case, so compare lower-cased.
   OR (instr(lower(COALESCE(with_json, '') || COALESCE(env_json, '') || COALESCE(run, '')), 'secrets.') > 0
       AND (lower(COALESCE(with_json, '') || COALESCE(env_json, '') || COALESCE(run, '')) LIKE '%secrets.%octopus%api%key%'
            OR lower(COALESCE(with_json, '') || COALESCE(env_json, '') || COALESCE(run, '')) LIKE '%secrets.%octopus%apikey%'))
UNION
SELECT j.repository, j.file, j.job, 'Octopus API key'
FROM jobs j
JOIN workflows w ON w.repository = j.repository AND w.file = j.file
WHERE instr(lower(COALESCE(j.env_json, '') || COALESCE(j.secrets_json, '') || COALESCE(w.env_json, '')), 'secrets.') > 0
  AND (lower(COALESCE(j.env_json, '') || COALESCE(j.secrets_json, '') || COALESCE(w.env_json, '')) LIKE '%secrets.%octopus%api%key%'
       OR lower(COALESCE(j.env_json, '') || COALESCE(j.secrets_json, '') || COALESCE(w.env_json, '')) LIKE '%secrets.%octopus%apikey%');
