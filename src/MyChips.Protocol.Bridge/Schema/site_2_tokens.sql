-- Tickets: a token for a draft tally, handed to a future partner, who asks its own site to redeem it.
create or replace view mychips.tokens_v as
    select t.token_ent, t.token_seq, t.token, t.reuse, t.used, t.expires, t.tally_seq, u.peer_cuid, u.peer_agent,
           t.expires <= current_timestamp as expired,
           t.expires > current_timestamp and t.used is null and y.status = 'draft' as valid,
           mychips.user_cert(t.token_ent)->'chad' as chad
      from mychips.tokens t
      join mychips.users u on u.user_ent = t.token_ent
      join mychips.tallies y on y.tally_ent = t.token_ent and y.tally_seq = t.tally_seq;

-- Our user (uname) accepts a ticket: the user's agent is notified to present it, with the user's certificate.
create or replace function mychips.ticket_process(ticket jsonb, uname text default session_user)
returns boolean language plpgsql as $$
declare
    agent text;
begin
    select peer_agent into agent from mychips.users where user_ent = uname;
    if agent is null then return false; end if;
    perform pg_notify('ma_' || agent, (ticket || '{"target":"tally","action":"ticket"}'
        || jsonb_build_object('cert', mychips.user_cert(uname)))::text);
    return true;
end $$;

-- Without a certificate: is the token good? With one: redeem it, making the presenter the partner of the draft
-- tally (a one-time token is used up; a reusable one copies its tally), and tell the tally's user.
create or replace function mychips.token_valid(tok text, cert jsonb default null) returns boolean
language plpgsql as $$
declare
    o record;
    t mychips.tallies;
begin
    select * into o from mychips.tokens_v where token = tok;
    if cert is null then return found and o.valid; end if;
    if not found or not o.valid then return false; end if;
    if o.reuse then
        insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, tally_type, version, contract, status,
                                     hold_cert, hold_terms, part_cert, part_terms)
        select tally_ent, (select max(tally_seq) + 1 from mychips.tallies where tally_ent = o.token_ent),
               gen_random_uuid(), tally_type, version, contract, 'draft', hold_cert, hold_terms, cert, part_terms
          from mychips.tallies where tally_ent = o.token_ent and tally_seq = o.tally_seq
        returning * into t;
    else
        update mychips.tokens set used = current_timestamp where token_ent = o.token_ent and token_seq = o.token_seq;
        update mychips.tallies set part_cert = cert, status = 'draft'
         where tally_ent = o.token_ent and tally_seq = o.tally_seq returning * into t;
    end if;
    perform mychips.tally_notify_user(t.tally_ent, t.tally_seq);
    return true;
end $$;
