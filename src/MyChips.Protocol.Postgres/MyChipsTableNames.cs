using System.Text.RegularExpressions;

namespace MyChips.Protocol.Postgres;

/// <summary>
/// Where the MyCHIPs data lives: schema, table and column names, the draft tally status and the
/// NOTIFY channel. The defaults are MyCHIPs's own; change them for a site with another layout.
/// Names are plain identifiers (letters, digits, underscores) and are always quoted in SQL.
/// </summary>
public sealed partial record MyChipsTableNames
{
    public string Schema { get; init; } = "mychips";

    public string AgentsTable { get; init; } = "agents";
    public string AgentColumn { get; init; } = "agent";
    public string AgentKeyColumn { get; init; } = "agent_key";
    public string AgentHostColumn { get; init; } = "agent_host";
    public string AgentPortColumn { get; init; } = "agent_port";

    public string UsersTable { get; init; } = "users";
    public string UserEntityColumn { get; init; } = "user_ent";
    public string UserCuidColumn { get; init; } = "peer_cuid";
    public string UserAgentColumn { get; init; } = "peer_agent";

    public string TalliesTable { get; init; } = "tallies";
    public string TallyEntityColumn { get; init; } = "tally_ent";
    public string TallySeqColumn { get; init; } = "tally_seq";
    public string TallyStatusColumn { get; init; } = "status";
    public string DraftStatus { get; init; } = "draft";

    public string TokensTable { get; init; } = "tokens";
    public string TokenEntityColumn { get; init; } = "token_ent";
    public string TokenSeqColumn { get; init; } = "token_seq";
    public string TokenColumn { get; init; } = "token";
    public string TokenReuseColumn { get; init; } = "reuse";
    public string TokenUsedColumn { get; init; } = "used";
    public string TokenExpiresColumn { get; init; } = "expires";
    public string TokenTallySeqColumn { get; init; } = "tally_seq";

    /// <summary>
    /// The column holding the CHIP address a ticket is bound to (text, <c>cuid:agent@host:port</c>).
    /// Not part of MyCHIPs's own table: the schema script adds it. Null turns binding off, and then
    /// issuing a bound ticket is refused.
    /// </summary>
    public string? TokenBoundChadColumn { get; init; } = "bound_chad";

    /// <summary>The channel on which a change to an agent row is announced (payload: the agent id).</summary>
    public string AgentsChangedChannel { get; init; } = "mychips_agents";

    public static MyChipsTableNames Default { get; } = new();

    /// <summary>Throws a clear error naming the first setting that is not a plain identifier.</summary>
    public void Validate()
    {
        foreach (var (setting, value) in Identifiers())
        {
            if (value is null) continue;
            if (!IdentifierPattern().IsMatch(value))
                throw new ArgumentException(
                    $"{nameof(MyChipsTableNames)}.{setting} = '{value}' is not a plain identifier (letters, digits, '_', at most 63, not starting with a digit).");
        }
        if (string.IsNullOrEmpty(DraftStatus))
            throw new ArgumentException($"{nameof(MyChipsTableNames)}.{nameof(DraftStatus)} must not be empty.");
    }

    internal IEnumerable<(string Setting, string? Value)> Identifiers() =>
    [
        (nameof(Schema), Schema),
        (nameof(AgentsTable), AgentsTable), (nameof(AgentColumn), AgentColumn), (nameof(AgentKeyColumn), AgentKeyColumn),
        (nameof(AgentHostColumn), AgentHostColumn), (nameof(AgentPortColumn), AgentPortColumn),
        (nameof(UsersTable), UsersTable), (nameof(UserEntityColumn), UserEntityColumn),
        (nameof(UserCuidColumn), UserCuidColumn), (nameof(UserAgentColumn), UserAgentColumn),
        (nameof(TalliesTable), TalliesTable), (nameof(TallyEntityColumn), TallyEntityColumn),
        (nameof(TallySeqColumn), TallySeqColumn), (nameof(TallyStatusColumn), TallyStatusColumn),
        (nameof(TokensTable), TokensTable), (nameof(TokenEntityColumn), TokenEntityColumn),
        (nameof(TokenSeqColumn), TokenSeqColumn), (nameof(TokenColumn), TokenColumn),
        (nameof(TokenReuseColumn), TokenReuseColumn), (nameof(TokenUsedColumn), TokenUsedColumn),
        (nameof(TokenExpiresColumn), TokenExpiresColumn), (nameof(TokenTallySeqColumn), TokenTallySeqColumn),
        (nameof(TokenBoundChadColumn), TokenBoundChadColumn), (nameof(AgentsChangedChannel), AgentsChangedChannel),
    ];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
