-- Lets a ticket be bound to one presenter's CHIP address (cuid:agent@host:port); null = anyone.
-- Safe to add to an existing MyCHIPs database.
alter table {{Schema}}.{{TokensTable}} add column if not exists {{TokenBoundChadColumn}} text;
