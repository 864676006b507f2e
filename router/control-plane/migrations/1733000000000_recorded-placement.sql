-- Up Migration
-- Recorded placement and the migrator's durable state (issue 13, docs/adr/0005).
--
-- Every account gets a placement row (written at signup; existing accounts are
-- backfilled by router/control-plane/backfill-placements.ts right after this
-- migration, from the ring that routed them until now). Routing reads only the
-- recorded placement; the ring is used for planning. A migration's flip is the
-- only thing that changes a user's cell.

ALTER TABLE cells DROP CONSTRAINT cells_state_check;
ALTER TABLE cells ADD CONSTRAINT cells_state_check
  CHECK (state IN ('active', 'draining', 'drained', 'down'));

-- reason: 'ring' (follows the ring; rebalances move it), 'fallback' (placed on the
-- next healthy cell at signup; rebalances move it home), anything else is a pin.
ALTER TABLE placements ALTER COLUMN reason SET DEFAULT 'ring';
-- frozen: the user is being migrated; every router answers their writes 503 user_migrating.
ALTER TABLE placements ADD COLUMN frozen boolean NOT NULL DEFAULT false;

-- Replicas reload only the users that changed: one notification per row for
-- small statements ('p:<user id>'), one full reload ('placements') for bulk ones.
DROP TRIGGER placements_changed ON placements;

CREATE FUNCTION notify_placements_changed() RETURNS trigger AS $$
DECLARE
  changed uuid;
  total integer;
BEGIN
  SELECT count(*) INTO total FROM changed_rows;
  IF total > 100 THEN
    PERFORM pg_notify('control_plane_changed', 'placements');
  ELSE
    FOR changed IN SELECT user_id FROM changed_rows LOOP
      PERFORM pg_notify('control_plane_changed', 'p:' || changed::text);
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER placements_inserted AFTER INSERT ON placements
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_placements_changed();
CREATE TRIGGER placements_updated AFTER UPDATE ON placements
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_placements_changed();
CREATE TRIGGER placements_deleted AFTER DELETE ON placements
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_placements_changed();

-- One row per operator operation (rebalance, drain, move of one user).
CREATE TABLE migration_operations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('rebalance', 'drain', 'move')),
  state text NOT NULL CHECK (state IN ('running', 'cancelling', 'completed', 'cancelled', 'failed')),
  -- drain: the cell being drained; move: the target cell.
  cell_id text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- At most one operation runs at a time: a second one is refused (409 migration_running).
CREATE UNIQUE INDEX migration_operations_one_running ON migration_operations ((true))
  WHERE state IN ('running', 'cancelling');

-- One row per user an operation moves, with the phase of the per-user protocol.
CREATE TABLE migration_moves (
  operation_id uuid NOT NULL REFERENCES migration_operations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  source_cell text NOT NULL,
  target_cell text NOT NULL,
  -- The placement reason written at the flip ('ring', or a pin such as 'pinned').
  placement_reason text NOT NULL DEFAULT 'ring',
  phase text NOT NULL DEFAULT 'planned' CHECK (phase IN (
    'planned', 'copied', 'frozen', 'committed', 'flipped', 'tombstoned', 'done', 'rolled_back',
    'failed')),
  attempts integer NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  frozen_at timestamptz,
  freeze_ms integer,
  error text,
  purge_after timestamptz,
  purged_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operation_id, user_id)
);
CREATE INDEX migration_moves_phase_idx ON migration_moves (operation_id, phase);
CREATE INDEX migration_moves_purge_idx ON migration_moves (purge_after)
  WHERE phase = 'done' AND purged_at IS NULL;

-- Account-level events the control plane owns (the cells' events go with the user's data).
CREATE TABLE account_events (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  user_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL DEFAULT '{}'
);

-- Down Migration
DROP TABLE account_events;
DROP TABLE migration_moves;
DROP TABLE migration_operations;
DROP TRIGGER placements_inserted ON placements;
DROP TRIGGER placements_updated ON placements;
DROP TRIGGER placements_deleted ON placements;
DROP FUNCTION notify_placements_changed();
CREATE TRIGGER placements_changed AFTER INSERT OR UPDATE OR DELETE ON placements
  FOR EACH STATEMENT EXECUTE FUNCTION notify_control_plane_changed();
ALTER TABLE placements DROP COLUMN frozen;
ALTER TABLE placements ALTER COLUMN reason SET DEFAULT 'pinned';
UPDATE cells SET state = 'draining' WHERE state = 'drained';
ALTER TABLE cells DROP CONSTRAINT cells_state_check;
ALTER TABLE cells ADD CONSTRAINT cells_state_check CHECK (state IN ('active', 'draining', 'down'));
