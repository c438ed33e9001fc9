-- The change log keeps each entity as it was before the change too, so that it is a full audit
-- trail and a revert can restore an entity's earlier state. `body` stays the entity after the
-- change (null for a DELETE); `before_body` is null for an INSERT, and for rows logged before this
-- migration (which a revert therefore refuses to undo). Plain SQL for H2 2.x and PostgreSQL.
ALTER TABLE change_log ADD COLUMN before_body VARCHAR;
