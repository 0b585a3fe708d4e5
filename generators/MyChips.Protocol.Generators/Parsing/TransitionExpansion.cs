using System.Collections.Generic;
using System.Linq;

namespace MyChips.Protocol.Generators.Parsing;

/// <summary>
/// The transitions of a machine one source state each, in spec order: <c>any</c> stands for every non-final state
/// without a transition of its own on that trigger. The checker uses it to find conflicts and unreachable states,
/// the binder to build the model; neither computes it for the other.
/// </summary>
internal static class TransitionExpansion
{
    public static List<(string From, TransitionSyntax Transition)> Expand(MachineSyntax machine)
    {
        var explicitPairs = new HashSet<(string, string)>(
            machine.Transitions.SelectMany(t => t.From.Select(f => (f.Name, TriggerKey(t.Trigger)))));
        var expanded = new List<(string From, TransitionSyntax Transition)>();
        var seen = new HashSet<(string, string)>();
        foreach (var transition in machine.Transitions)
        {
            var sources = transition.FromAny
                ? machine.States.Where(s => !s.Final && !explicitPairs.Contains((s.Name.Name, TriggerKey(transition.Trigger)))).Select(s => s.Name.Name)
                : transition.From.Select(f => f.Name);
            foreach (var from in sources.Distinct())
            {
                if (seen.Add((from, TriggerKey(transition.Trigger))))
                    expanded.Add((from, transition));
            }
        }
        return expanded;
    }

    public static string TriggerKey(TriggerRef trigger) => trigger.Kind + ":" + trigger.Name.Name;
}
