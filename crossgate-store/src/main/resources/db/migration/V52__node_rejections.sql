-- The resources a node applied the revision of but does not serve (its policy refuses them), as a
-- JSON array of {entityType, entityId, reason} from its last ACK; null when it serves everything.
-- Plain SQL for H2 2.x and PostgreSQL.
ALTER TABLE nodes ADD COLUMN rejected VARCHAR;
