using MyChips.Peer.Commands;

namespace MyChips.Peer.Tests.Commands;

public class SpecCommandTests
{
    [Fact]
    public async Task Spec_prints_the_packet_table_and_every_machine_as_mermaid()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("spec");

        Assert.Equal(0, exit);
        Assert.Contains("| Ticket | `I` |", output, StringComparison.Ordinal);
        Assert.Contains("| Receipt | `R` |", output, StringComparison.Ordinal);
        Assert.Contains("# mychips-peer: machine Initiator", output, StringComparison.Ordinal);
        Assert.Contains("# mychips-peer: machine Responder", output, StringComparison.Ordinal);
        Assert.Contains("Pending --> Open : receive Ack / CompleteHandshake", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("stateDiagram-v2").Length - 1);
    }

    [Fact]
    public async Task Spec_prints_dot_graphs_on_request_and_finds_a_spec_by_its_file_path()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("spec", "spec/ciyam-peer.protocol", "--format", "dot");

        Assert.Equal(0, exit);
        Assert.Contains("# ciyam-peer: packets", output, StringComparison.Ordinal);
        Assert.Contains("digraph ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("-->", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spec_prints_the_SPIN_model_that_spin_accepts()
    {
        var (exit, output, _) = await CliHarness.InvokeAsync("spec", "mychips-peer", "--format", "promela");

        Assert.Equal(0, exit);
        Assert.StartsWith("/* MyCHIPs peer protocol: a SPIN model", output, StringComparison.Ordinal);
        Assert.Contains("proctype Responder()", output, StringComparison.Ordinal);
        Assert.Contains("PROPERTY knockOnce VIOLATED", output, StringComparison.Ordinal);
        var result = await MyChips.Protocol.Testing.SpinModelChecker.CheckAsync(output);
        Assert.True(result.Holds, result.Report);
    }

    [Fact]
    public async Task Spec_exits_2_for_an_unknown_spec_or_format()
    {
        var unknown = await CliHarness.InvokeAsync("spec", "no-such-spec");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("mychips-peer", unknown.Error, StringComparison.Ordinal);
        Assert.Equal("", unknown.Output);

        Assert.Equal(2, (await CliHarness.InvokeAsync("spec", "--format", "svg")).Exit);
    }

    [Fact]
    public void Mermaid_transitions_become_labelled_dot_edges_with_start_and_end_nodes()
    {
        var dot = MermaidToDot.Convert("M", ["stateDiagram-v2", "    [*] --> Idle", "    Idle --> Open : receive \"A\" / Go", "    Open --> [*]"]);

        Assert.StartsWith("digraph M {", dot, StringComparison.Ordinal);
        Assert.Contains("\"__start\" -> \"Idle\";", dot, StringComparison.Ordinal);
        Assert.Contains("\"Idle\" -> \"Open\" [label=\"receive \\\"A\\\" / Go\"];", dot, StringComparison.Ordinal);
        Assert.Contains("\"Open\" -> \"__end\";", dot, StringComparison.Ordinal);
        Assert.EndsWith("}" + Environment.NewLine, dot, StringComparison.Ordinal);
    }
}
