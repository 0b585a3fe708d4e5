namespace MyChips.Protocol.Generators.Emit;

/// <summary>The C# names of one machine's generated types.</summary>
internal sealed class MachineNames
{
    public MachineNames(string machine)
    {
        State = machine + "State";
        Trigger = machine + "Trigger";
        Transition = machine + "Transition";
        Timeout = machine + "Timeout";
        Actions = "I" + machine + "Actions";
        Machine = machine + "StateMachine";
        Connection = machine + "Connection";
        Stateless = $"global::Stateless.StateMachine<{State}, {Trigger}>";
    }

    public string State { get; }
    public string Trigger { get; }
    public string Transition { get; }
    public string Timeout { get; }
    public string Actions { get; }
    public string Machine { get; }
    public string Connection { get; }
    public string Stateless { get; }
}
