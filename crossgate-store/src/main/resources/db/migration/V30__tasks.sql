-- Async tasks (DESIGN.md "Async tasks"): any gateway node answers a poll, so tasks live here.
-- Plain SQL for H2 2.x and PostgreSQL 15. Bodies up to the inline limit are kept in the row;
-- larger results spill to a blob file named by result_blob (under the node's data dir).

CREATE TABLE tasks (
  task_id             VARCHAR(64)   PRIMARY KEY,
  owner               VARCHAR(128)  NOT NULL,
  route_id            VARCHAR(64)   NOT NULL,
  execution           VARCHAR(16)   NOT NULL,
  status              VARCHAR(16)   NOT NULL,
  secret_hash         VARCHAR(64)   NOT NULL,
  envelope            VARCHAR       NOT NULL,
  request_method      VARCHAR(16)   NOT NULL,
  request_uri         VARCHAR(8192) NOT NULL,
  request_type        VARCHAR(255),
  request_body        BYTEA,
  result_status       INT,
  result_type         VARCHAR(255),
  result_size         BIGINT,
  result_body         BYTEA,
  result_blob         VARCHAR(1024),
  error               VARCHAR(1000),
  created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  finished_at         TIMESTAMP WITH TIME ZONE,
  expires_at          TIMESTAMP WITH TIME ZONE NOT NULL,
  client_task_id      VARCHAR(128)
);
CREATE INDEX tasks_expires ON tasks (expires_at);
CREATE INDEX tasks_owner ON tasks (owner, created_at);
-- a client (the agent) that resubmits after a crash names its own task id: one task per owner and id
CREATE UNIQUE INDEX tasks_client ON tasks (owner, client_task_id);
