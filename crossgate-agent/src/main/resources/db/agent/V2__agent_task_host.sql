-- The Host a task is submitted to the gateway under: the caller's, when the interface is declared
-- for one host (a route with a sourceHost); null for the gateway's own.
ALTER TABLE agent_tasks ADD COLUMN request_host VARCHAR(255);
