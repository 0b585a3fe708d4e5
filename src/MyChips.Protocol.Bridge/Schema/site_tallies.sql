-- A MyCHIPs-shaped subset of a site's tally machinery, on top of the store's own tables: the columns,
-- notify trigger and process functions the site bridge touches. A real MyCHIPs database has these already.
alter table mychips.tallies add column if not exists tally_uuid uuid;
alter table mychips.tallies add column if not exists request text;
alter table mychips.tallies add column if not exists part_cuid text;
alter table mychips.tallies add column if not exists part_agent text;
alter table mychips.tallies add column if not exists hold_sig text;
alter table mychips.tallies add column if not exists part_sig text;

-- Delivery attempts of a tally's pending request; deleted when the request is done.
create table if not exists mychips.tally_tries (
    ttry_ent  text not null,
    ttry_seq  int not null,
    tries     int not null default 1,
    last      timestamptz not null default clock_timestamp(),
    primary key (ttry_ent, ttry_seq),
    foreign key (ttry_ent, ttry_seq) references mychips.tallies on update cascade on delete cascade
);

-- A chad ({cuid, agent, host, port}) of a user of this site or of a partner.
create or replace function mychips.chad(cuid text, agent text) returns jsonb language sql stable as $$
    select jsonb_build_object('cuid', cuid, 'agent', agent, 'host', a.agent_host, 'port', a.agent_port)
      from (select 1) one left join mychips.agents a on a.agent = chad.agent
$$;

-- The state a message's context is matched against: status.request while a request is pending,
-- H.offer / P.offer for an offer signed by the holder / the partner, else the status.
create or replace function mychips.tally_state(t mychips.tallies) returns text language sql immutable as $$
    select case when t is null then 'null'
                when t.request is not null then t.status || '.' || t.request
                when t.status = 'offer' then case when t.hold_sig is not null then 'H.offer' else 'P.offer' end
                else t.status end
$$;

-- A pending request becomes one notification to the holder's agent, counted in tally_tries.
create or replace function mychips.tally_notify_agent() returns trigger language plpgsql as $$
declare
    holder mychips.users;
    attempt mychips.tally_tries;
begin
    if new.request is null then return new; end if;
    select * into holder from mychips.users where user_ent = new.tally_ent;
    insert into mychips.tally_tries (ttry_ent, ttry_seq) values (new.tally_ent, new.tally_seq)
        on conflict (ttry_ent, ttry_seq) do update set tries = tally_tries.tries + 1, last = clock_timestamp()
        returning * into attempt;
    perform pg_notify('ma_' || holder.peer_agent, jsonb_build_object(
        'target', 'tally', 'action', new.request, 'try', attempt.tries, 'last', attempt.last,
        'to', mychips.chad(new.part_cuid, new.part_agent),
        'from', mychips.chad(holder.peer_cuid, holder.peer_agent),
        'object', jsonb_build_object('uuid', new.tally_uuid, 'sign',
            jsonb_build_object('hold', new.hold_sig, 'part', new.part_sig)))::text);
    return new;
end $$;

drop trigger if exists tallies_tr_notify on mychips.tallies;
create trigger tallies_tr_notify after insert or update of request on mychips.tallies
    for each row execute function mychips.tally_notify_agent();

-- Applies a recipe to the tally a message is about. Returns null when the message names no tally of this
-- site, the current state when the recipe's context does not match, else {status, object}.
-- A recipe with 'update' confirms our own send (our user is msg.from); one with 'upsert' takes in a
-- partner's message (our user is msg.to), creating the tally when it is new here.
create or replace function mychips.tally_process(msg jsonb, recipe jsonb) returns jsonb language plpgsql as $$
declare
    ours jsonb := case when recipe ? 'upsert' then msg->'to' else msg->'from' end;
    theirs jsonb := case when recipe ? 'upsert' then msg->'from' else msg->'to' end;
    changes jsonb := coalesce(recipe->'update', recipe->'upsert');
    holder mychips.users;
    tally mychips.tallies;
    state text;
begin
    select * into holder from mychips.users where peer_cuid = ours->>'cuid' and peer_agent = ours->>'agent';
    if holder is null or msg->'object'->>'uuid' is null then return null; end if;
    select * into tally from mychips.tallies
     where tally_ent = holder.user_ent and tally_uuid = (msg->'object'->>'uuid')::uuid;
    state := mychips.tally_state(tally);
    if recipe ? 'context' and not (recipe->'context') ? state then return to_jsonb(state); end if;

    if tally is null then
        if not recipe ? 'upsert' then return null; end if;
        insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, status, part_cuid, part_agent, part_sig)
        values (holder.user_ent,
                coalesce((select max(tally_seq) from mychips.tallies where tally_ent = holder.user_ent), 0) + 1,
                (msg->'object'->>'uuid')::uuid, coalesce(changes->>'status', 'draft'),
                theirs->>'cuid', theirs->>'agent', msg->'object'->'sign'->>'hold')
        returning * into tally;
    else
        update mychips.tallies set status = coalesce(changes->>'status', status),
               request = case when coalesce((recipe->>'clear')::boolean, false) then null else request end
         where tally_ent = tally.tally_ent and tally_seq = tally.tally_seq
        returning * into tally;
        if coalesce((recipe->>'clear')::boolean, false) then
            delete from mychips.tally_tries where ttry_ent = tally.tally_ent and ttry_seq = tally.tally_seq;
        end if;
    end if;
    return jsonb_build_object('status', tally.status, 'object', msg->'object');
end $$;

-- Re-sends every request whose last attempt is older than the given age; returns how many.
create or replace function mychips.tally_notices(older interval default '60 seconds') returns int
language plpgsql as $$
declare
    resent int;
begin
    update mychips.tallies t set request = t.request
      from mychips.tally_tries tt
     where tt.ttry_ent = t.tally_ent and tt.ttry_seq = t.tally_seq and t.request is not null
       and tt.last <= clock_timestamp() - older;
    get diagnostics resent = row_count;
    return resent;
end $$;
