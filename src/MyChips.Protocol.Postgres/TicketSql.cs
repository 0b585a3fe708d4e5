namespace MyChips.Protocol.Postgres;

/// <summary>The ticket store's statements, built once from the configured names.</summary>
internal sealed class TicketSql
{
    public TicketSql(MyChipsTableNames n)
    {
        string Q(string name) => SqlNames.Quote(name);
        var users = $"{Q(n.Schema)}.{Q(n.UsersTable)}";
        var agents = $"{Q(n.Schema)}.{Q(n.AgentsTable)}";
        var tallies = $"{Q(n.Schema)}.{Q(n.TalliesTable)}";
        var tokens = $"{Q(n.Schema)}.{Q(n.TokensTable)}";
        var bound = n.TokenBoundChadColumn is null ? null : Q(n.TokenBoundChadColumn);

        // Issues for one user take turns (a transaction lock, which needs no update right on users), so
        // the next tally and token numbers below do not collide.
        FindIssuer =
            $"select {Q(n.UserEntityColumn)}, pg_advisory_xact_lock(hashtextextended({SqlNames.Literal(n.Schema + "." + n.TokensTable + ":")} || {Q(n.UserEntityColumn)}, 0)) " +
            $"from {users} where {Q(n.UserCuidColumn)} = $1 and {Q(n.UserAgentColumn)} = $2";

        InsertDraftTally =
            $"insert into {tallies} ({Q(n.TallyEntityColumn)}, {Q(n.TallySeqColumn)}, {Q(n.TallyStatusColumn)}) " +
            $"select $1, coalesce(max({Q(n.TallySeqColumn)}), 0) + 1, {SqlNames.Literal(n.DraftStatus)} from {tallies} where {Q(n.TallyEntityColumn)} = $1 " +
            $"returning {Q(n.TallySeqColumn)}";

        // Expiry in whole seconds, so the ticket's URI form (unix seconds) names the same instant.
        InsertToken =
            $"insert into {tokens} ({Q(n.TokenEntityColumn)}, {Q(n.TokenSeqColumn)}, {Q(n.TokenColumn)}, {Q(n.TokenReuseColumn)}, " +
            $"{Q(n.TokenExpiresColumn)}, {Q(n.TokenTallySeqColumn)}{(bound is null ? "" : ", " + bound)}) " +
            $"select $1, coalesce(max({Q(n.TokenSeqColumn)}), 0) + 1, $2, false, date_trunc('second', localtimestamp + $3), $4{(bound is null ? "" : ", $5")} " +
            $"from {tokens} where {Q(n.TokenEntityColumn)} = $1 " +
            $"returning {Q(n.TokenExpiresColumn)}::timestamptz";

        // One statement decides and consumes: of racing redemptions the row lock lets one through, and
        // the others re-check the conditions on the updated row and match nothing. A reusable token
        // stays valid until it expires.
        Consume =
            $"update {tokens} t set {Q(n.TokenUsedColumn)} = localtimestamp " +
            $"from {tallies} y, {users} u, {agents} a " +
            $"where t.{Q(n.TokenColumn)} = $1 " +
            $"and (t.{Q(n.TokenUsedColumn)} is null or coalesce(t.{Q(n.TokenReuseColumn)}, false)) " +
            $"and t.{Q(n.TokenExpiresColumn)} > localtimestamp " +
            $"and y.{Q(n.TallyEntityColumn)} = t.{Q(n.TokenEntityColumn)} and y.{Q(n.TallySeqColumn)} = t.{Q(n.TokenTallySeqColumn)} " +
            $"and y.{Q(n.TallyStatusColumn)} = {SqlNames.Literal(n.DraftStatus)} " +
            (bound is null ? "" : $"and (t.{bound} is null or t.{bound} = $2) ") +
            $"and u.{Q(n.UserEntityColumn)} = t.{Q(n.TokenEntityColumn)} and a.{Q(n.AgentColumn)} = u.{Q(n.UserAgentColumn)} " +
            $"returning u.{Q(n.UserCuidColumn)}, u.{Q(n.UserAgentColumn)}, a.{Q(n.AgentHostColumn)}, a.{Q(n.AgentPortColumn)}";

        // Only after a refusal: says which condition failed.
        Classify =
            $"select t.{Q(n.TokenUsedColumn)} is not null and not coalesce(t.{Q(n.TokenReuseColumn)}, false), " +
            $"t.{Q(n.TokenExpiresColumn)} > localtimestamp, " +
            $"coalesce(y.{Q(n.TallyStatusColumn)} = {SqlNames.Literal(n.DraftStatus)}, false), " +
            $"{(bound is null ? "null::text" : "t." + bound)}, " +
            $"a.{Q(n.AgentColumn)} is not null " +
            $"from {tokens} t " +
            $"left join {tallies} y on y.{Q(n.TallyEntityColumn)} = t.{Q(n.TokenEntityColumn)} and y.{Q(n.TallySeqColumn)} = t.{Q(n.TokenTallySeqColumn)} " +
            $"left join {users} u on u.{Q(n.UserEntityColumn)} = t.{Q(n.TokenEntityColumn)} " +
            $"left join {agents} a on a.{Q(n.AgentColumn)} = u.{Q(n.UserAgentColumn)} " +
            $"where t.{Q(n.TokenColumn)} = $1";
    }

    public string FindIssuer { get; }
    public string InsertDraftTally { get; }
    public string InsertToken { get; }
    public string Consume { get; }
    public string Classify { get; }
}
