-- Chits (transactions on a tally), their delivery attempts, notifications and chit_process.
create table if not exists mychips.chits (
    chit_ent   text not null,
    chit_seq   int not null,
    chit_idx   int not null,
    chit_uuid  uuid not null,
    chit_type  text not null default 'tran' check (chit_type in ('lift', 'tran', 'set')),
    chit_date  timestamptz(3) not null default current_timestamp,
    issuer     tally_side not null default 'foil',
    units      bigint,
    reference  jsonb,
    memo       text,
    digest     bytea,
    signature  text,
    request    text check (request is null or request in ('pend', 'good', 'void')),
    status     text not null default 'draft' check (status in ('draft', 'pend', 'good', 'void', 'chain')),
    chain_dgst bytea,
    chain_prev bytea,
    chain_idx  int check (chain_idx >= 0),
    chain_msg  jsonb,
    primary key (chit_ent, chit_seq, chit_idx),
    unique (chit_ent, chit_seq, chit_uuid),
    unique (chit_ent, chit_seq, chain_idx),
    foreign key (chit_ent, chit_seq) references mychips.tallies on update cascade on delete cascade
);

create table if not exists mychips.chit_tries (
    ctry_ent  text not null,
    ctry_seq  int not null,
    ctry_idx  int not null,
    tries     int not null default 1,
    last      timestamptz not null default current_timestamp,
    primary key (ctry_ent, ctry_seq, ctry_idx),
    foreign key (ctry_ent, ctry_seq, ctry_idx) references mychips.chits on update cascade on delete cascade
);

-- A: the chit asks our holder for value (a debit), L: it gives (a credit); then status and pending request.
create or replace function mychips.chit_state(isdebit boolean, status text, request text) returns text
language sql immutable as $$
    select case when isdebit then 'A.' else 'L.' end || status || coalesce('.' || request, '')
$$;

-- What is signed, what is hashed into the chain, what is sent, and the chain position.
create or replace function mychips.chit_json_c(ch mychips.chits, ta mychips.tallies) returns jsonb language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object('tally', ta.tally_uuid, 'by', ch.issuer, 'type', ch.chit_type,
        'uuid', ch.chit_uuid, 'date', to_char(ch.chit_date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'units', ch.units, 'ref', ch.reference, 'memo', ch.memo))
$$;
create or replace function mychips.chit_json_h(ch mychips.chits, ta mychips.tallies) returns jsonb language sql stable as $$
    select mychips.chit_json_c(ch, ta) || jsonb_strip_nulls(jsonb_build_object(
        'index', ch.chain_idx, 'prior', mychips.ba2b64v(ch.chain_prev), 'sign', ch.signature))
$$;
create or replace function mychips.chit_json_r(ch mychips.chits, ta mychips.tallies) returns jsonb language sql stable as $$
    select mychips.chit_json_c(ch, ta) || jsonb_strip_nulls(jsonb_build_object(
        'hash', mychips.ba2b64v(ch.digest), 'sign', ch.signature))
$$;
create or replace function mychips.chit_json_o(ch mychips.chits, ta mychips.tallies) returns jsonb language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object('index', ch.chain_idx, 'hash', mychips.ba2b64v(ch.chain_dgst), 'conf', ta.chain_conf))
$$;
create or replace function mychips.chit_json_x(ch mychips.chits, ta mychips.tallies) returns jsonb language sql stable as $$
    select mychips.chit_json_r(ch, ta) || jsonb_build_object('chain', mychips.chit_json_o(ch, ta))
$$;

-- A pending chit request becomes one notification to the holder's agent, counted in chit_tries.
create or replace function mychips.chit_notify_agent(ch mychips.chits) returns boolean language plpgsql as $$
declare
    ta mychips.tallies;
    attempt mychips.chit_tries;
    payload jsonb;
begin
    select * into ta from mychips.tallies where tally_ent = ch.chit_ent and tally_seq = ch.chit_seq;
    insert into mychips.chit_tries (ctry_ent, ctry_seq, ctry_idx) values (ch.chit_ent, ch.chit_seq, ch.chit_idx)
        on conflict (ctry_ent, ctry_seq, ctry_idx) do update set tries = chit_tries.tries + 1, last = current_timestamp
        returning * into attempt;
    payload := jsonb_build_object('target', 'chit', 'action', ch.request, 'try', attempt.tries, 'last', attempt.last,
        'to', ta.part_cert->'chad', 'from', ta.hold_cert->'chad', 'object', mychips.chit_json_r(ch, ta));
    if ch.request = 'good' then payload := payload || jsonb_build_object('pub', ta.hold_cert->'public'); end if;
    perform pg_notify(coalesce('ma_' || ta.hold_agent, 'mychips_agent'), payload::text);
    return true;
end $$;

-- A chain message for the partner: an ack, nak or update about one chit of a tally.
create or replace function mychips.chain_notify_agent(ch mychips.chits, msg jsonb default null) returns boolean
language plpgsql as $$
declare
    ta mychips.tallies;
begin
    select * into ta from mychips.tallies where tally_ent = ch.chit_ent and tally_seq = ch.chit_seq;
    perform pg_notify(coalesce('ma_' || ta.hold_agent, 'mychips_agent'), jsonb_build_object(
        'target', 'chit', 'action', 'chain', 'to', ta.part_cert->'chad', 'from', ta.hold_cert->'chad',
        'object', coalesce(msg, ch.chain_msg) || jsonb_build_object('tally', ta.tally_uuid, 'uuid', ch.chit_uuid))::text);
    return true;
end $$;

-- Numbers a new chit, keeps its hash, and links it into the chain when a chain command came with it.
create or replace function mychips.chits_tf_link() returns trigger language plpgsql as $$
declare
    ta mychips.tallies;
begin
    select * into ta from mychips.tallies where tally_ent = new.chit_ent and tally_seq = new.chit_seq;
    if tg_op = 'INSERT' then
        new.chit_idx := coalesce(new.chit_idx, (select coalesce(max(chit_idx), 0) + 1 from mychips.chits
                                                 where chit_ent = new.chit_ent and chit_seq = new.chit_seq));
        new.chit_uuid := coalesce(new.chit_uuid, gen_random_uuid());
    end if;
    new.digest := mychips.j2h(mychips.chit_json_c(new, ta));
    -- status 'chain': placed by an update from the foil (or a stray put at the end); else a command to link.
    if new.status = 'chain' or (new.status = 'good' and new.chain_msg->>'cmd' in ('loc', 'new')
                                and (tg_op = 'INSERT' or new.chain_msg is distinct from old.chain_msg)) then
        new := mychips.chain_consense(new, ta);
    end if;
    return new;
end $$;

create or replace function mychips.chits_tf_notify() returns trigger language plpgsql as $$
begin
    if new.request is not null and (tg_op = 'INSERT' or new.request is distinct from old.request) then
        perform mychips.chit_notify_agent(new);
    end if;
    if new.chain_msg is not null and new.chain_msg->>'cmd' in ('ack', 'nak', 'upd')
       and (tg_op = 'INSERT' or new.chain_msg is distinct from old.chain_msg) then
        perform mychips.chain_notify_agent(new);
    end if;
    return new;
end $$;

-- Applies a recipe to the chit a message is about, on an open tally of the user msg.to names (results as
-- tally_process, plus the chit's chain position). Chain messages go to chain_process.
create or replace function mychips.chit_process(msg jsonb, recipe jsonb) returns jsonb language plpgsql as $$
declare
    obj jsonb := msg->'object';
    ta mychips.tallies;
    ch mychips.chits;
    state text;
    changes text;
begin
    if msg->>'action' = 'chain' then return mychips.chain_process(msg, recipe); end if;
    select * into ta from mychips.tallies
     where hold_cuid = msg->'to'->>'cuid' and tally_uuid = (obj->>'tally')::uuid and status = 'open';
    if not found then return null; end if;
    select * into ch from mychips.chits
     where chit_ent = ta.tally_ent and chit_seq = ta.tally_seq and chit_uuid = (obj->>'uuid')::uuid;
    state := case when found then mychips.chit_state(ch.issuer <> ta.tally_type, ch.status, ch.request) else 'null' end;

    if not jsonb_build_array(state) <@ (recipe->'context') then
        if state <> 'null' and coalesce((recipe->>'clear')::boolean, false) then
            update mychips.chits set request = null where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx = ch.chit_idx;
        end if;
        return to_jsonb(state);
    end if;

    if recipe ? 'upsert' then
        if state = 'null' then
            insert into mychips.chits (chit_ent, chit_seq, chit_uuid, chit_type, chit_date, status, signature, issuer,
                                       units, reference, memo, chain_msg)
            values (ta.tally_ent, ta.tally_seq, (obj->>'uuid')::uuid, coalesce(obj->>'type', 'tran'),
                    coalesce((obj->>'date')::timestamptz, current_timestamp), coalesce(recipe->'upsert'->>'status', 'pend'),
                    obj->>'sign', coalesce((obj->>'by')::tally_side, 'foil'), (obj->>'units')::bigint, obj->'ref', obj->>'memo', obj->'chain')
            returning * into ch;
        else
            update mychips.chits set signature = obj->>'sign', issuer = coalesce((obj->>'by')::tally_side, issuer),
                units = (obj->>'units')::bigint, status = coalesce(recipe->'upsert'->>'status', 'pend'),
                reference = obj->'ref', memo = obj->>'memo', chain_msg = obj->'chain', request = null
             where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx = ch.chit_idx
            returning * into ch;
        end if;
    end if;

    if recipe ? 'update' then
        select string_agg(format('%I = %L', key, value), ', ') into changes
          from jsonb_each_text(recipe->'update') where key in ('status', 'signature', 'chain_msg');
        execute 'update mychips.chits set request = null' || coalesce(', ' || changes, '')
             || ' where chit_ent = $1 and chit_seq = $2 and chit_idx = $3'
          using ch.chit_ent, ch.chit_seq, ch.chit_idx;
    end if;

    delete from mychips.chit_tries where ctry_ent = ch.chit_ent and ctry_seq = ch.chit_seq and ctry_idx = ch.chit_idx;
    select * into ch from mychips.chits where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx = ch.chit_idx;
    select * into ta from mychips.tallies where tally_ent = ta.tally_ent and tally_seq = ta.tally_seq;
    perform pg_notify('mu_' || ch.chit_ent, jsonb_build_object('target', 'chit', 'entity', ch.chit_ent,
        'sequence', ch.chit_seq, 'index', ch.chit_idx,
        'state', mychips.chit_state(ch.issuer <> ta.tally_type, ch.status, ch.request),
        'object', mychips.chit_json_r(ch, ta))::text);
    return jsonb_build_object('status', ch.status, 'object', mychips.chit_json_r(ch, ta), 'chain', mychips.chit_json_o(ch, ta));
end $$;

-- Re-sends every tally and chit request whose last attempt is at least this old; returns how many.
create or replace function mychips.tally_notices(older interval default '60 minutes') returns int
language plpgsql as $$
declare
    t mychips.tallies;
    ch mychips.chits;
    resent int := 0;
begin
    for t in select ta.* from mychips.tallies ta
               join mychips.tally_tries tr on tr.ttry_ent = ta.tally_ent and tr.ttry_seq = ta.tally_seq
              where ta.request is not null and current_timestamp - tr.last >= older loop
        perform mychips.tally_notify_agent(t);
        resent := resent + 1;
    end loop;
    for ch in select c.* from mychips.chits c
                join mychips.chit_tries ct on ct.ctry_ent = c.chit_ent and ct.ctry_seq = c.chit_seq and ct.ctry_idx = c.chit_idx
               where c.request is not null and current_timestamp - ct.last >= older loop
        perform mychips.chit_notify_agent(ch);
        resent := resent + 1;
    end loop;
    return resent;
end $$;
