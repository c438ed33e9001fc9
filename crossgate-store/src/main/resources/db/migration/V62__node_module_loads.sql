-- Each node's load state of the WebAssembly modules its extensions asked for, as a JSON array of
-- (tenant, sha256, state, since, detail) from its last heartbeat; null while it reports none.
-- Plain SQL for H2 2.x and PostgreSQL.
ALTER TABLE nodes ADD COLUMN module_loads VARCHAR;
