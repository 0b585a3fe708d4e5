-- A MyCHIPs-shaped subset of a site's tally machinery, on top of the store's own tables: the names, columns,
-- notification payloads and process results the site bridge touches. A real MyCHIPs database has its own.
alter table mychips.users add column if not exists user_psig jsonb;     -- the user's public signing key (JWK)

-- The two sides of a tally, as MyCHIPs types them.
do $$ begin
    create type tally_side as enum ('stock', 'foil');
exception when duplicate_object then null;
end $$;

alter table mychips.tallies
    add column if not exists tally_uuid uuid,
    add column if not exists tally_type tally_side not null default 'stock',
    add column if not exists tally_date timestamptz(3) not null default current_timestamp,
    add column if not exists version int not null default 1,
    add column if not exists revision int not null default 1,
    add column if not exists comment text,
    add column if not exists contract jsonb,
    add column if not exists hold_cert jsonb,
    add column if not exists part_cert jsonb,
    add column if not exists hold_sig text,
    add column if not exists part_sig text,
    add column if not exists hold_terms jsonb not null default '{}',
    add column if not exists part_terms jsonb not null default '{}',
    add column if not exists digest bytea,
    add column if not exists request text check (request is null or request in ('void', 'draft', 'offer', 'open')),
    add column if not exists closing boolean not null default false,
    add column if not exists hold_cuid text,
    add column if not exists part_cuid text,
    add column if not exists hold_agent text,
    add column if not exists part_agent text,
    add column if not exists chain_conf int;

-- Delivery attempts of a tally's pending request; cleared when the request is done.
create table if not exists mychips.tally_tries (
    ttry_ent  text not null,
    ttry_seq  int not null,
    tries     int not null default 1,
    last      timestamptz not null default current_timestamp,
    primary key (ttry_ent, ttry_seq),
    foreign key (ttry_ent, ttry_seq) references mychips.tallies on update cascade on delete cascade
);

-- Bytes as base64url without padding, and back.
create or replace function mychips.ba2b64v(b bytea) returns text language sql immutable as $$
    select rtrim(translate(replace(encode(b, 'base64'), E'\n', ''), '+/', '-_'), '=')
$$;
create or replace function mychips.b64v2ba(t text) returns bytea language sql immutable as $$
    select case when t is null then null
           else decode(rpad(translate(t, '-_', '+/'), ((length(t) + 3) / 4) * 4, '='), 'base64') end
$$;

-- The hash a chain is built of: SHA-256 of the JSON text.
create or replace function mychips.j2h(j jsonb) returns bytea language sql immutable as $$
    select sha256(convert_to(j::text, 'UTF8'))
$$;

-- A user's certificate: its CHIP address and public signing key.
create or replace function mychips.user_cert(ent text) returns jsonb language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'chad', jsonb_build_object('cuid', u.peer_cuid, 'agent', u.peer_agent, 'host', a.agent_host, 'port', a.agent_port),
        'public', u.user_psig))
      from mychips.users u left join mychips.agents a on a.agent = u.peer_agent
     where u.user_ent = ent
$$;

-- The tally as both partners see it (what is signed and hashed).
create or replace function mychips.tally_json(t mychips.tallies) returns jsonb language sql stable as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'version', t.version, 'revision', t.revision, 'uuid', t.tally_uuid,
        'date', to_char(t.tally_date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'memo', t.comment, 'agree', t.contract,
        t.tally_type::text, jsonb_build_object('cert', t.hold_cert, 'terms', t.hold_terms),
        case when t.tally_type = 'stock' then 'foil' else 'stock' end,
            jsonb_build_object('cert', t.part_cert, 'terms', t.part_terms)))
$$;

-- The tally as sent: its json plus the signatures by side and the hash.
create or replace function mychips.tally_object(t mychips.tallies) returns jsonb language sql stable as $$
    select mychips.tally_json(t) || jsonb_build_object('sign', jsonb_strip_nulls(jsonb_build_object(
        t.tally_type::text, t.hold_sig,
        case when t.tally_type = 'stock' then 'foil' else 'stock' end, t.part_sig,
        'hash', mychips.ba2b64v(t.digest))))
$$;

-- The state a recipe's context is matched against (as MyCHIPs computes it).
create or replace function mychips.tally_state(t mychips.tallies) returns text language sql immutable as $$
    select case
             when t.request is not null then ''
             when t.status = 'offer' then case
                 when t.hold_sig is not null and t.part_sig is not null then 'B.'
                 when t.hold_sig is not null then 'H.'
                 when t.part_sig is not null then 'P.'
                 else '' end
             when t.status = 'draft' then case when t.part_cert is null then '' else 'P.' end
             when t.status = 'open' then case when t.closing then 'C.' else '' end
             else '' end
        || t.status || coalesce('.' || t.request, '')
$$;

-- Keeps the cached addresses, the uuid, the holder's certificate and the hash in step with the tally; makes
-- the partner's agent known (as MyCHIPs does), so that its messages can be sent and checked.
create or replace function mychips.tallies_tf_certs() returns trigger language plpgsql as $$
declare
    chad jsonb;
begin
    new.tally_uuid := coalesce(new.tally_uuid, gen_random_uuid());
    new.hold_cert := coalesce(new.hold_cert, mychips.user_cert(new.tally_ent));
    new.hold_cuid := new.hold_cert->'chad'->>'cuid';
    new.hold_agent := new.hold_cert->'chad'->>'agent';
    new.part_cuid := new.part_cert->'chad'->>'cuid';
    new.part_agent := new.part_cert->'chad'->>'agent';
    chad := new.part_cert->'chad';
    if chad->>'agent' is not null and chad->>'host' is not null and chad->>'port' is not null then
        insert into mychips.agents (agent, agent_host, agent_port)
        values (chad->>'agent', chad->>'host', (chad->>'port')::int) on conflict do nothing;
    end if;
    new.digest := mychips.j2h(mychips.tally_json(new));
    -- A signature is over the content: when the content changes, one not given anew with the change is void.
    if tg_op = 'UPDATE' and new.digest is distinct from old.digest then
        if new.hold_sig is not distinct from old.hold_sig then new.hold_sig := null; end if;
        if new.part_sig is not distinct from old.part_sig then new.part_sig := null; end if;
    end if;
    return new;
end $$;

drop trigger if exists tallies_tr_certs on mychips.tallies;
create trigger tallies_tr_certs before insert or update on mychips.tallies
    for each row execute function mychips.tallies_tf_certs();

-- A pending request becomes one notification to the holder's agent, counted in tally_tries.
create or replace function mychips.tally_notify_agent(t mychips.tallies) returns boolean language plpgsql as $$
declare
    attempt mychips.tally_tries;
begin
    insert into mychips.tally_tries (ttry_ent, ttry_seq) values (t.tally_ent, t.tally_seq)
        on conflict (ttry_ent, ttry_seq) do update set tries = tally_tries.tries + 1, last = current_timestamp
        returning * into attempt;
    perform pg_notify(coalesce('ma_' || t.hold_agent, 'mychips_agent'), jsonb_build_object(
        'target', 'tally', 'action', t.request, 'try', attempt.tries, 'last', attempt.last,
        'to', t.part_cert->'chad', 'from', t.hold_cert->'chad', 'object', mychips.tally_object(t))::text);
    return true;
end $$;

create or replace function mychips.tallies_tf_notify() returns trigger language plpgsql as $$
begin
    if new.request is not null and (tg_op = 'INSERT' or new.request is distinct from old.request) then
        perform mychips.tally_notify_agent(new);
    end if;
    return new;
end $$;

drop trigger if exists tallies_tr_notify on mychips.tallies;
create trigger tallies_tr_notify after insert or update on mychips.tallies
    for each row execute function mychips.tallies_tf_notify();

-- Tells the user's applications (channel mu_<user>) what became of a tally.
create or replace function mychips.tally_notify_user(ent text, seq int, reason text default 'valid')
returns mychips.tallies language plpgsql as $$
declare
    t mychips.tallies;
begin
    select * into t from mychips.tallies where tally_ent = ent and tally_seq = seq;
    perform pg_notify('mu_' || ent, jsonb_build_object('target', 'tally', 'entity', ent, 'sequence', seq,
        'state', mychips.tally_state(t), 'object', mychips.tally_object(t), 'reason', reason)::text);
    return t;
end $$;

-- Applies a recipe to the tally a message is about, for the user msg.to names. Returns null when there is no
-- such user or nothing was done, the current state when the recipe's context does not match (clearing our
-- request when the recipe says clear), else {status, object}.
create or replace function mychips.tally_process(msg jsonb, recipe jsonb) returns jsonb language plpgsql as $$
declare
    cid text := msg->'to'->>'cuid';
    agent text := msg->'to'->>'agent';
    obj jsonb := msg->'object';
    ours jsonb := obj->'stock';
    theirs jsonb := obj->'foil';
    side text := 'stock';
    other text := 'foil';
    t mychips.tallies;
    uid text;
    state text;
    acted boolean := recipe ? 'notify';
    changes text;
begin
    select * into t from mychips.tallies where hold_cuid = cid and tally_uuid = (obj->>'uuid')::uuid;
    if found then
        state := mychips.tally_state(t);
        uid := t.tally_ent;
    else
        state := 'null';
        select user_ent into uid from mychips.users where peer_cuid = cid and peer_agent = agent;
        if uid is null then return null; end if;
    end if;

    if not jsonb_build_array(state) <@ (recipe->'context') then
        if state <> 'null' and coalesce((recipe->>'clear')::boolean, false) then
            update mychips.tallies set request = null where tally_ent = t.tally_ent and tally_seq = t.tally_seq;
        end if;
        return to_jsonb(state);
    end if;

    if recipe ? 'upsert' then
        if theirs->'cert'->'chad'->>'cuid' = cid and theirs->'cert'->'chad'->>'agent' = agent then
            side := 'foil'; other := 'stock'; ours := obj->'foil'; theirs := obj->'stock';
        elsif ours->'cert'->'chad'->>'cuid' is distinct from cid or ours->'cert'->'chad'->>'agent' is distinct from agent then
            return null;
        end if;
        if state = 'null' then
            insert into mychips.tallies (tally_ent, tally_seq, tally_uuid, tally_type, tally_date, version, revision,
                contract, status, comment, hold_sig, part_sig, hold_terms, part_terms, hold_cert, part_cert, chain_conf)
            values (uid, coalesce((select max(tally_seq) from mychips.tallies where tally_ent = uid), 0) + 1,
                (obj->>'uuid')::uuid, side::tally_side, coalesce((obj->>'date')::timestamptz, current_timestamp),
                coalesce((obj->>'version')::int, 1), coalesce((obj->>'revision')::int, 1), obj->'agree',
                coalesce(recipe->'upsert'->>'status', 'offer'), obj->>'memo', obj->'sign'->>side, obj->'sign'->>other,
                coalesce(ours->'terms', '{}'), coalesce(theirs->'terms', '{}'), ours->'cert', theirs->'cert',
                (recipe->'upsert'->>'chain_conf')::int)
            returning * into t;
        else
            update mychips.tallies set request = null, status = coalesce(recipe->'upsert'->>'status', 'offer'),
                tally_type = side::tally_side, version = coalesce((obj->>'version')::int, version),
                revision = coalesce((obj->>'revision')::int, revision), contract = obj->'agree', comment = obj->>'memo',
                tally_date = coalesce((obj->>'date')::timestamptz, tally_date),
                hold_sig = obj->'sign'->>side, part_sig = obj->'sign'->>other,
                hold_terms = coalesce(ours->'terms', '{}'), part_terms = coalesce(theirs->'terms', '{}'),
                hold_cert = ours->'cert', part_cert = theirs->'cert', chain_conf = (recipe->'upsert'->>'chain_conf')::int
             where tally_ent = t.tally_ent and tally_seq = t.tally_seq
            returning * into t;
        end if;
        acted := true;
    end if;

    if recipe ? 'update' then
        select string_agg(format('%I = %L', key, value), ', ') into changes
          from jsonb_each_text(recipe->'update') where key in ('status', 'revision', 'part_cert', 'part_sig', 'hold_sig');
        execute 'update mychips.tallies set request = null' || coalesce(', ' || changes, '')
             || ' where tally_ent = $1 and tally_seq = $2' using t.tally_ent, t.tally_seq;
        acted := true;
    end if;

    if not acted then return null; end if;
    delete from mychips.tally_tries where ttry_ent = t.tally_ent and ttry_seq = t.tally_seq;
    t := mychips.tally_notify_user(t.tally_ent, t.tally_seq, msg->>'action');
    return jsonb_build_object('status', t.status, 'object', mychips.tally_object(t));
end $$;
