-- Routes: a user asks, through one of its open tallies, whether the partner's side can reach a destination
-- user. This subset answers for one step (the destination is a user of the partner's site); MyCHIPs searches
-- further along the partner's own tallies.
create table if not exists mychips.routes (
    rid        serial primary key,
    via_ent    text not null,
    via_tseq   int not null,
    dst_cuid   text not null,
    dst_agent  text not null,
    req_ent    text,
    req_tseq   int,
    status     text not null default 'draft' check (status in ('draft', 'pend', 'good', 'none')),
    step       int not null default 0 check (step >= 0),
    good_date  timestamptz not null default current_timestamp,
    min        bigint not null default 0,
    margin     float not null default 0,
    max        bigint not null default 0,
    reward     float not null default 0,
    unique (via_ent, via_tseq, dst_cuid, dst_agent),
    foreign key (via_ent, via_tseq) references mychips.tallies on update cascade on delete cascade
);

create table if not exists mychips.route_tries (
    rtry_rid  int primary key references mychips.routes on update cascade on delete cascade,
    tries     int not null default 1,
    last      timestamptz not null default current_timestamp
);

-- A new route asks the partner of its tally (action draft); a resolved one tells the user who asked.
create or replace function mychips.route_notify(route mychips.routes) returns void language plpgsql as $$
declare
    via mychips.tallies;
    attempt mychips.route_tries;
    find jsonb := jsonb_build_object('cuid', route.dst_cuid, 'agent', route.dst_agent);
begin
    if route.status = 'pend' then return; end if;
    select * into via from mychips.tallies where tally_ent = route.via_ent and tally_seq = route.via_tseq;
    if route.status = 'draft' then
        insert into mychips.route_tries (rtry_rid) values (route.rid)
            on conflict (rtry_rid) do update set tries = route_tries.tries + 1, last = current_timestamp
            returning * into attempt;
        perform pg_notify(coalesce('ma_' || via.hold_agent, 'mychips_agent'), jsonb_build_object(
            'target', 'route', 'action', 'draft', 'try', attempt.tries, 'last', attempt.last,
            'to', via.part_cert->'chad', 'from', via.hold_cert->'chad',
            'object', jsonb_build_object('tally', via.tally_uuid, 'find', find, 'step', route.step))::text);
    else
        perform pg_notify('mu_' || coalesce(route.req_ent, route.via_ent), jsonb_build_object(
            'target', 'route', 'action', route.status, 'object', jsonb_build_object('route', route.rid, 'find', find,
            'lading', case when route.status = 'good' then jsonb_build_object('min', route.min, 'max', route.max,
                      'margin', route.margin, 'reward', route.reward) end))::text);
    end if;
end $$;

create or replace function mychips.routes_tf_notify() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.status <> old.status then perform mychips.route_notify(new); end if;
    return new;
end $$;

drop trigger if exists routes_tr_notify on mychips.routes;
create trigger routes_tr_notify after insert or update on mychips.routes
    for each row execute function mychips.routes_tf_notify();

-- A query (recipe {query:true}) from the partner of one of our open tallies: {action:'good', lading} when the
-- destination is a user here, else {action:'none'}. An update (recipe {context, update}) of our route on the
-- tally the message names returns the route's new state (or the current one when the context does not match).
create or replace function mychips.route_process(msg jsonb, recipe jsonb) returns jsonb language plpgsql as $$
declare
    obj jsonb := msg->'object';
    base mychips.tallies;
    route mychips.routes;
    state text;
    changes text;
begin
    select * into base from mychips.tallies where tally_uuid = (obj->>'tally')::uuid and status = 'open'
       and hold_cuid = msg->'to'->>'cuid' and hold_agent = msg->'to'->>'agent';
    if not found then return null; end if;

    if coalesce((recipe->>'query')::boolean, false) then
        if base.part_cuid is distinct from msg->'from'->>'cuid' or base.part_agent is distinct from msg->'from'->>'agent' then
            return null;
        end if;
        if exists (select 1 from mychips.users where peer_cuid = obj->'find'->>'cuid' and peer_agent = obj->'find'->>'agent') then
            return jsonb_build_object('action', 'good', 'lading', jsonb_build_object('min', 0, 'max', 0, 'margin', 0, 'reward', 0));
        end if;
        return jsonb_build_object('action', 'none');
    end if;

    if recipe ? 'update' then
        select * into route from mychips.routes where via_ent = base.tally_ent and via_tseq = base.tally_seq
           and dst_cuid = obj->'find'->>'cuid' and dst_agent = obj->'find'->>'agent';
        state := coalesce(route.status, 'null');
        if not jsonb_build_array(state) <@ (recipe->'context') then return to_jsonb(state); end if;
        select string_agg(format('%I = %L', key, value), ', ') into changes
          from jsonb_each_text(recipe->'update') where key in ('status', 'min', 'margin', 'max', 'reward');
        execute 'update mychips.routes set good_date = current_timestamp' || coalesce(', ' || changes, '')
             || ' where rid = $1 returning *' into route using route.rid;
        if route.status in ('good', 'none') then delete from mychips.route_tries where rtry_rid = route.rid; end if;
        return to_jsonb(route.status);
    end if;
    return null;
end $$;
