-- What each tenant holds in the task table, kept up to date in the transactions that insert,
-- finish and delete tasks, so that the quota check before a new task is one primary-key read
-- instead of a sum over all of the tenant's rows. It counts every row not yet deleted, expired
-- or not: an upper bound of the unexpired usage the quotas speak of (the store falls back to the
-- exact sum before it refuses a task).
CREATE TABLE task_usage (
  owner          VARCHAR(128) PRIMARY KEY,
  pending_tasks  BIGINT NOT NULL,
  pending_bytes  BIGINT NOT NULL,
  result_bytes   BIGINT NOT NULL
);
INSERT INTO task_usage (owner, pending_tasks, pending_bytes, result_bytes)
SELECT owner,
       SUM(CASE WHEN status IN ('PENDING', 'RUNNING') THEN 1 ELSE 0 END),
       COALESCE(SUM(CASE WHEN status IN ('PENDING', 'RUNNING') THEN request_size END), 0),
       COALESCE(SUM(CASE WHEN status NOT IN ('PENDING', 'RUNNING') THEN result_size END), 0)
FROM tasks GROUP BY owner;
