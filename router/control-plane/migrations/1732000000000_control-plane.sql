-- Up Migration
-- Control plane of the platform: accounts, refresh tokens, the cell registry
-- and the user -> cell placement overrides. Every change to cells or
-- placements notifies `control_plane_changed`, so each router replica reloads
-- its in-memory copy whoever made the change (admin API or plain SQL).

CREATE TABLE cells (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  url text NOT NULL,
  weight integer NOT NULL DEFAULT 1 CHECK (weight > 0),
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'draining', 'down')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Emails are stored lower-cased by the router; the index enforces it for everyone else too.
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account_idx ON refresh_tokens (account_id);

CREATE TABLE placements (
  user_id uuid PRIMARY KEY,
  cell_id text NOT NULL REFERENCES cells (id),
  reason text NOT NULL DEFAULT 'pinned',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX placements_cell_idx ON placements (cell_id);

CREATE FUNCTION notify_control_plane_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('control_plane_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER cells_changed AFTER INSERT OR UPDATE OR DELETE ON cells
  FOR EACH STATEMENT EXECUTE FUNCTION notify_control_plane_changed();
CREATE TRIGGER placements_changed AFTER INSERT OR UPDATE OR DELETE ON placements
  FOR EACH STATEMENT EXECUTE FUNCTION notify_control_plane_changed();

-- Down Migration
DROP TABLE placements;
DROP TABLE refresh_tokens;
DROP TABLE accounts;
DROP TABLE cells;
DROP FUNCTION notify_control_plane_changed();
