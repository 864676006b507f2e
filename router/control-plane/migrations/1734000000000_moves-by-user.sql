-- Up Migration
-- Whether a user is moving (`MigrationStore.isMoving`: an account deletion,
-- moving or unpinning a user) and which purges must wait for a user moving
-- back are asked by user. migration_moves keeps a row for every move ever
-- made, so without this index each of those reads scanned all of them.
CREATE INDEX migration_moves_user_idx ON migration_moves (user_id);

-- Down Migration
DROP INDEX migration_moves_user_idx;
