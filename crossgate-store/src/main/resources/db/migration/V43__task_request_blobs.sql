-- Async task request bodies above a small threshold are spooled to a file of the node's task blob
-- directory instead of the row (issue "Bounded under abuse"); request_size counts either, so the
-- per-tenant quota on pending request bytes reads one column.
ALTER TABLE tasks ADD COLUMN request_blob VARCHAR(1024);
ALTER TABLE tasks ADD COLUMN request_size BIGINT;
UPDATE tasks SET request_size = OCTET_LENGTH(request_body) WHERE request_body IS NOT NULL;
