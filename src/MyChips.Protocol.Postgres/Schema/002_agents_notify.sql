-- Announces every change to an agent row on a NOTIFY channel (payload: the agent id; empty after a
-- truncate), so that key caches stay fresh. Safe to add to an existing MyCHIPs database.
create or replace function {{Schema}}."{{AgentsTable:raw}}_tf_notify"() returns trigger language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' then
        perform pg_notify({{AgentsChangedChannel:lit}}, '');
    elsif tg_op = 'DELETE' then
        perform pg_notify({{AgentsChangedChannel:lit}}, old.{{AgentColumn}});
    else
        perform pg_notify({{AgentsChangedChannel:lit}}, new.{{AgentColumn}});
        if tg_op = 'UPDATE' and old.{{AgentColumn}} is distinct from new.{{AgentColumn}} then
            perform pg_notify({{AgentsChangedChannel:lit}}, old.{{AgentColumn}});
        end if;
    end if;
    return null;
end $$;

drop trigger if exists "{{AgentsTable:raw}}_tr_notify" on {{Schema}}.{{AgentsTable}};
create trigger "{{AgentsTable:raw}}_tr_notify" after insert or update or delete on {{Schema}}.{{AgentsTable}}
    for each row execute function {{Schema}}."{{AgentsTable:raw}}_tf_notify"();

drop trigger if exists "{{AgentsTable:raw}}_tr_notify_truncate" on {{Schema}}.{{AgentsTable}};
create trigger "{{AgentsTable:raw}}_tr_notify_truncate" after truncate on {{Schema}}.{{AgentsTable}}
    for each statement execute function {{Schema}}."{{AgentsTable:raw}}_tf_notify"();
