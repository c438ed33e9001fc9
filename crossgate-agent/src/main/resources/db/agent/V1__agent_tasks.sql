-- The agent's own tasks (DESIGN.md "The agent"), in an H2 file in its data dir, so that a
-- restart resumes every unfinished task where it stood.
CREATE TABLE agent_tasks (
  task_id         VARCHAR(64)   PRIMARY KEY,
  state           VARCHAR(16)   NOT NULL,
  envelope        VARCHAR       NOT NULL,
  request_method  VARCHAR(16)   NOT NULL,
  request_uri     VARCHAR(8192) NOT NULL,
  request_type    VARCHAR(255),
  request_body    VARBINARY,
  callback_url    VARCHAR(2048),
  webhook_id      VARCHAR(64)   NOT NULL,
  gateway_task_id VARCHAR(64),
  task_status     VARCHAR(16),
  result_status   INT,
  result_type     VARCHAR(255),
  result_body     VARBINARY,
  attempts        INT           NOT NULL,
  deliveries      INT           NOT NULL,
  last_error      VARCHAR(1000),
  next_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX agent_tasks_due ON agent_tasks (state, next_at);
