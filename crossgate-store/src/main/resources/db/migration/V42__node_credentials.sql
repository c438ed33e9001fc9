-- Node identity (issue 12 §5): the cluster token only enrols a node; from then on the node
-- proves who it is with a credential of its own. Only the credential's SHA-256 is stored (hex);
-- the credential itself is shown to the node once. The primary key is what makes "a node id
-- is enrolled at most once" hold across control-plane instances: a second enrolment of the
-- same id fails the insert, whichever instance it reaches. Retiring a node deletes its row.
-- Portable SQL (H2 2.x and PostgreSQL).

CREATE TABLE node_credentials (
  node_id         VARCHAR(128) PRIMARY KEY,
  credential_hash VARCHAR(64)  NOT NULL,
  enrolled_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
