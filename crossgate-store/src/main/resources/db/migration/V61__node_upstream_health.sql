-- Each node's own view of its upstream pools' health, as a JSON array of pool views from its last
-- heartbeat, and when that heartbeat came; null until a node that has pools reports them.
-- Plain SQL for H2 2.x and PostgreSQL.
ALTER TABLE nodes ADD COLUMN upstream_health VARCHAR;
ALTER TABLE nodes ADD COLUMN upstream_health_at TIMESTAMP WITH TIME ZONE;
