-- The initiator ephemeral keys of the handshakes this site accepted, so that a recorded K or I played again is
-- refused, after a restart too (PostgresReplayGuard). 32 bytes a connection; rows may be pruned by age, which lets
-- a replay of a handshake older than what is kept through. Safe to add to an existing MyCHIPs database.
create table if not exists {{Schema}}.peer_handshakes (
  ephemeral bytea primary key check (length(ephemeral) = 32),
  seen timestamptz not null default now()
);
