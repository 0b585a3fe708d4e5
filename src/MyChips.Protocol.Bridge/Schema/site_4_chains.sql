-- Chit chains: both partners hash their tally's good chits into one chain and agree on its order. The foil
-- holder decides the order; the stock holder conforms. Index 0 is the tally itself.

-- Moves the confirmed end of a tally's chain forward (never back).
create or replace function mychips.chain_ratchet(ent text, seq int, index int) returns int language sql as $$
    update mychips.tallies set chain_conf = index
     where tally_ent = ent and tally_seq = seq and (chain_conf is null or chain_conf < index)
    returning chain_conf
$$;

-- The hash at a chain position: the tally's for 0, else the chit's there.
create or replace function mychips.chit_digest(ent text, seq int, index int) returns bytea language sql stable as $$
    select case when index = 0 then (select digest from mychips.tallies where tally_ent = ent and tally_seq = seq)
           else (select chain_dgst from mychips.chits where chit_ent = ent and chit_seq = seq and chain_idx = index) end
$$;

create or replace function mychips.msg_ack(index int, digest bytea) returns jsonb language sql immutable as $$
    select jsonb_build_object('cmd', 'ack', 'index', index, 'hash', mychips.ba2b64v(digest))
$$;
create or replace function mychips.msg_nak(index int, digest bytea default null) returns jsonb language sql immutable as $$
    select jsonb_strip_nulls(jsonb_build_object('cmd', 'nak', 'index', index, 'hash', mychips.ba2b64v(digest)))
$$;
create or replace function mychips.msg_upd(chits jsonb) returns jsonb language sql immutable as $$
    select jsonb_build_object('cmd', 'upd', 'chits', chits)
$$;

-- Links a chit that carries a chain command (ch.chain_msg) and sets the reply for the partner, if any:
-- 'loc' (our user's good chit) goes at the end; 'new' (the partner's) is placed by the foil and conformed to
-- by the stock; no command (an update from the foil) takes the index it names.
create or replace function mychips.chain_consense(ch mychips.chits, ta mychips.tallies) returns mychips.chits
language plpgsql as $$
declare
    msg jsonb := ch.chain_msg;
    cmd text := msg->>'cmd';
    prop_idx int := (msg->>'index')::int;
    prop_conf int := coalesce((msg->>'conf')::int, 0);
    prop_dgst bytea := mychips.b64v2ba(msg->>'hash');
    last_link mychips.chits;
    next_idx int := 1;
    prev_dgst bytea := ta.digest;
    wrong jsonb;
begin
    select * into last_link from mychips.chits
     where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chain_idx is not null and chit_idx <> ch.chit_idx
     order by chain_idx desc limit 1;
    if found then
        next_idx := last_link.chain_idx + 1;
        prev_dgst := last_link.chain_dgst;
    end if;
    ch.chain_msg := null;

    if cmd = 'loc' or (cmd = 'new' and ta.tally_type = 'foil') then
        ch.chain_idx := next_idx;
        ch.chain_prev := prev_dgst;
        ch.chain_dgst := mychips.j2h(mychips.chit_json_h(ch, ta));
        if cmd = 'new' then
            if prop_idx = ch.chain_idx and prop_dgst = ch.chain_dgst then
                ch.chain_msg := mychips.msg_ack(ch.chain_idx, ch.chain_dgst);
                perform mychips.chain_ratchet(ch.chit_ent, ch.chit_seq, ch.chain_idx);
            else
                -- The stock has our chain wrong from some point on: send what it needs, this chit last.
                select coalesce(jsonb_agg(mychips.chit_json_x(c, ta) order by c.chain_idx), '[]') into wrong
                  from mychips.chits c
                 where c.chit_ent = ch.chit_ent and c.chit_seq = ch.chit_seq and c.status = 'good'
                   and c.chit_idx <> ch.chit_idx
                   and c.chain_idx between least(prop_conf + 1, coalesce(ta.chain_conf, 0) + 1, prop_idx) and ch.chain_idx - 1;
                ch.chain_msg := mychips.msg_upd(wrong || jsonb_build_array(mychips.chit_json_x(ch, ta)));
            end if;
        end if;

    elsif cmd = 'new' then              -- we hold the stock: conform to the foil's order
        if prop_idx = next_idx then
            ch.chain_idx := next_idx;
            ch.chain_prev := prev_dgst;
        elsif prop_idx < next_idx and prop_idx > coalesce(ta.chain_conf, 0) then
            ch.chain_idx := prop_idx;
            ch.chain_prev := mychips.chit_digest(ch.chit_ent, ch.chit_seq, prop_idx - 1);
        else
            ch.chain_idx := null;
            ch.chain_prev := null;
        end if;
        ch.chain_dgst := case when ch.chain_idx is null then null else mychips.j2h(mychips.chit_json_h(ch, ta)) end;
        if ch.chain_idx is not null and ch.chain_idx < next_idx then
            -- The chit in the way moves to the end of our chain; the foil hears about it.
            update mychips.chits set chain_idx = null
             where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx <> ch.chit_idx and chain_idx = ch.chain_idx
            returning * into last_link;
            if found then
                last_link.chain_idx := next_idx;
                last_link.chain_prev := case when next_idx = ch.chain_idx + 1 then ch.chain_dgst else prev_dgst end;
                last_link.chain_dgst := mychips.j2h(mychips.chit_json_h(last_link, ta));
                update mychips.chits set chain_idx = last_link.chain_idx, chain_prev = last_link.chain_prev,
                       chain_dgst = last_link.chain_dgst,
                       chain_msg = mychips.msg_upd(jsonb_build_array(mychips.chit_json_x(last_link, ta)))
                 where chit_ent = last_link.chit_ent and chit_seq = last_link.chit_seq and chit_idx = last_link.chit_idx;
            end if;
        end if;
        if ch.chain_dgst = prop_dgst then
            ch.chain_msg := mychips.msg_ack(ch.chain_idx, ch.chain_dgst);
            perform mychips.chain_ratchet(ch.chit_ent, ch.chit_seq, prop_idx);
        else
            ch.chain_msg := mychips.msg_nak(coalesce(ch.chain_idx, prop_idx), ch.chain_dgst);
        end if;

    else                                -- an update from the foil: take the index it names
        ch.chain_idx := coalesce(prop_idx, ch.chain_idx, next_idx);
        update mychips.chits set chain_idx = null, chain_prev = null, chain_dgst = null
         where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx <> ch.chit_idx and chain_idx = ch.chain_idx;
        ch.chain_prev := mychips.chit_digest(ch.chit_ent, ch.chit_seq, ch.chain_idx - 1);
        ch.chain_dgst := mychips.j2h(mychips.chit_json_h(ch, ta));
    end if;

    if ch.status = 'chain' then ch.status := 'good'; end if;
    return ch;
end $$;

-- Takes in a chain message for an open tally of the user msg.to names. recipe true: our own message was sent
-- (its chit's chain_msg is cleared). 'ack': the partner agrees up to an index. 'upd': the foil's version of
-- some chits, which we add or re-index, then ack (or nak) the end. Returns true, or null for no such tally.
create or replace function mychips.chain_process(msg jsonb, recipe jsonb) returns jsonb language plpgsql as $$
declare
    obj jsonb := msg->'object';
    hash bytea := mychips.b64v2ba(obj->>'hash');
    ta mychips.tallies;
    ch mychips.chits;
    item record;
    index int;
    changed boolean := false;
    strays jsonb;
begin
    select * into ta from mychips.tallies
     where hold_cuid = msg->'to'->>'cuid' and tally_uuid = (obj->>'tally')::uuid and status = 'open';
    if not found then return null; end if;

    if jsonb_typeof(recipe) = 'boolean' and recipe::text::boolean then
        update mychips.chits set chain_msg = null
         where chit_ent = ta.tally_ent and chit_seq = ta.tally_seq and chit_uuid = (obj->>'uuid')::uuid;
        return to_jsonb(found);
    end if;

    if obj->>'cmd' = 'ack' then
        index := (obj->>'index')::int;
        if mychips.chit_digest(ta.tally_ent, ta.tally_seq, index) = hash then
            perform mychips.chain_ratchet(ta.tally_ent, ta.tally_seq, index);
        elsif index > 0 and not exists (select 1 from mychips.chits where chit_ent = ta.tally_ent
                                         and chit_seq = ta.tally_seq and chain_idx = index) then
            return null;
        end if;

    elsif obj->>'cmd' = 'upd' and jsonb_typeof(obj->'chits') = 'array' then
        for item in select j, c.chit_idx, c.chain_idx, c.chain_dgst
                      from jsonb_array_elements(obj->'chits') j
                      left join mychips.chits c on c.chit_ent = ta.tally_ent and c.chit_seq = ta.tally_seq
                                               and c.chit_uuid = (j->>'uuid')::uuid
                     order by (j->'chain'->>'index')::int nulls last loop
            index := (item.j->'chain'->>'index')::int;
            continue when index is null;
            continue when item.chain_idx = index and item.chain_dgst = mychips.b64v2ba(item.j->'chain'->>'hash');
            if item.chit_idx is null then       -- a chit we never got
                insert into mychips.chits (chit_ent, chit_seq, chit_uuid, chit_type, chit_date, status, signature,
                                           issuer, units, reference, memo, chain_msg)
                values (ta.tally_ent, ta.tally_seq, (item.j->>'uuid')::uuid, coalesce(item.j->>'type', 'tran'),
                        (item.j->>'date')::timestamptz, 'chain', item.j->>'sign', (item.j->>'by')::tally_side,
                        (item.j->>'units')::bigint, item.j->'ref', item.j->>'memo', (item.j->'chain') - 'cmd')
                returning * into ch;
            else                                -- one we have at another place
                update mychips.chits set chain_msg = (item.j->'chain') - 'cmd', status = 'chain', chain_prev = null
                 where chit_ent = ta.tally_ent and chit_seq = ta.tally_seq and chit_idx = item.chit_idx
                returning * into ch;
            end if;
            changed := true;
        end loop;
        if changed then
            if ch.chain_dgst = mychips.b64v2ba(ch.chain_msg->>'hash') or ch.chain_dgst = (
                    select mychips.b64v2ba(j->'chain'->>'hash') from jsonb_array_elements(obj->'chits') j
                     where (j->>'uuid')::uuid = ch.chit_uuid) then
                perform mychips.chain_notify_agent(ch, mychips.msg_ack(ch.chain_idx, ch.chain_dgst));
                perform mychips.chain_ratchet(ch.chit_ent, ch.chit_seq, ch.chain_idx);
            else
                perform mychips.chain_notify_agent(ch, mychips.msg_nak(ch.chain_idx));
            end if;
            -- Chits the update pushed out of our chain go at its end, and the partner hears where.
            strays := '[]';
            for ch in select * from mychips.chits where chit_ent = ta.tally_ent and chit_seq = ta.tally_seq
                         and status = 'good' and chain_idx is null order by chit_idx loop
                update mychips.chits set status = 'chain'
                 where chit_ent = ch.chit_ent and chit_seq = ch.chit_seq and chit_idx = ch.chit_idx returning * into ch;
                strays := strays || jsonb_build_array(mychips.chit_json_x(ch, ta));
            end loop;
            if jsonb_array_length(strays) > 0 then
                perform mychips.chain_notify_agent(ch, mychips.msg_upd(strays));
            end if;
        end if;
    end if;
    return to_jsonb(true);
end $$;

drop trigger if exists chits_tr_link on mychips.chits;
create trigger chits_tr_link before insert or update on mychips.chits
    for each row execute function mychips.chits_tf_link();
drop trigger if exists chits_tr_notify on mychips.chits;
create trigger chits_tr_notify after insert or update on mychips.chits
    for each row execute function mychips.chits_tf_notify();
