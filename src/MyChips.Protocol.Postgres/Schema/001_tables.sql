-- A MyCHIPs-shaped subset: the tables and columns the peer module reads, for tests and demos.
-- A real MyCHIPs database has these already (with many more columns); do not run this there.
create schema if not exists {{Schema}};

-- A remote (or local) site: its agent id, the Ed25519 key trusted for it, and where it listens.
create table if not exists {{Schema}}.{{AgentsTable}} (
    {{AgentColumn}}     text primary key,
    {{AgentKeyColumn}}  bytea,
    {{AgentHostColumn}} text not null,
    {{AgentPortColumn}} int not null check ({{AgentPortColumn}} between 1 and 65535),
    agent_ip            inet,
    unique ({{AgentHostColumn}}, {{AgentPortColumn}})
);

-- The agent id is the base64url (unpadded) Ed25519 public key: fill the key from it unless one is given.
create or replace function {{Schema}}."{{AgentsTable:raw}}_tf_key"() returns trigger language plpgsql as $$
begin
    if new.{{AgentKeyColumn}} is null
       or (tg_op = 'UPDATE' and new.{{AgentColumn}} is distinct from old.{{AgentColumn}}
           and new.{{AgentKeyColumn}} is not distinct from old.{{AgentKeyColumn}}) then
        new.{{AgentKeyColumn}} := decode(
            rpad(translate(new.{{AgentColumn}}, '-_', '+/'), ((length(new.{{AgentColumn}}) + 3) / 4) * 4, '='),
            'base64');
    end if;
    return new;
end $$;

drop trigger if exists "{{AgentsTable:raw}}_tr_key" on {{Schema}}.{{AgentsTable}};
create trigger "{{AgentsTable:raw}}_tr_key" before insert or update on {{Schema}}.{{AgentsTable}}
    for each row execute function {{Schema}}."{{AgentsTable:raw}}_tf_key"();

-- A user of this site: its CHIP user id and the agent it does business through.
create table if not exists {{Schema}}.{{UsersTable}} (
    {{UserEntityColumn}} text primary key,
    {{UserCuidColumn}}   text not null,
    {{UserAgentColumn}}  text not null references {{Schema}}.{{AgentsTable}} on update cascade,
    unique ({{UserCuidColumn}}, {{UserAgentColumn}})
);

-- A tally (credit relationship); a ticket is good only while its tally is still a draft.
create table if not exists {{Schema}}.{{TalliesTable}} (
    {{TallyEntityColumn}} text not null references {{Schema}}.{{UsersTable}} on update cascade on delete cascade,
    {{TallySeqColumn}}    int not null,
    {{TallyStatusColumn}} text not null default {{DraftStatus:lit}},
    primary key ({{TallyEntityColumn}}, {{TallySeqColumn}})
);

-- One-time connection tokens handed out in tickets.
create table if not exists {{Schema}}.{{TokensTable}} (
    {{TokenEntityColumn}}   text not null references {{Schema}}.{{UsersTable}} on update cascade on delete cascade,
    {{TokenSeqColumn}}      int not null,
    {{TokenColumn}}         text not null unique,
    {{TokenReuseColumn}}    boolean not null default false,
    {{TokenUsedColumn}}     timestamp,
    {{TokenExpiresColumn}}  timestamp not null default current_timestamp + '48 hours',
    {{TokenTallySeqColumn}} int,
    primary key ({{TokenEntityColumn}}, {{TokenSeqColumn}}),
    foreign key ({{TokenEntityColumn}}, {{TokenTallySeqColumn}})
        references {{Schema}}.{{TalliesTable}} on update cascade on delete cascade
);
