using Microsoft.CodeAnalysis;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>
/// Every error in a spec is a compile error with a stable ID at the spec's line and column.
/// In each spec below, <c>$$</c> marks where the error must point; it is removed before generating.
/// </summary>
public sealed class SpecDiagnosticTests
{
    private const string Valid = """
        protocol Demo
        namespace Demo.Wire
        framing length u32be type byte max 100
        roles client server
        body Note text
        packet Hello 'H' from client body Note
        packet Ok 'O' from server body empty
        machine Server role server
          state Idle initial
          state Done final
          Idle on receive Hello -> Done
        end
        """;

    [Fact]
    public void The_valid_demo_spec_has_no_errors_and_generates_code()
    {
        var (run, _) = GeneratorHarness.Generate(Valid);

        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.Results.Single().GeneratedSources);
    }

    [Fact]
    public void MCP0001_syntax_error() =>
        AssertError("MCP0001", Valid.Replace("'H' from client", "'H' $$form client"));

    [Fact]
    public void MCP0001_unclosed_quote() =>
        AssertError("MCP0001", Valid.Replace("packet Hello 'H'", "packet Hello $$'H"));

    [Fact]
    public void MCP0001_unknown_field_type() =>
        AssertError("MCP0001", Valid.Replace("body Note text", "body Note msgpack {\n  size: $$int\n}"));

    [Fact]
    public void MCP0002_unknown_state() =>
        AssertError("MCP0002", Valid.Replace("-> Done", "-> $$Nowhere"));

    [Fact]
    public void MCP0003_unknown_packet() =>
        AssertError("MCP0003", Valid.Replace("on receive Hello", "on receive $$Goodbye"));

    [Fact]
    public void MCP0004_duplicate_type_byte() =>
        AssertError("MCP0004", Valid.Replace("packet Ok 'O'", "packet Ok $$'H'"));

    [Fact]
    public void MCP0005_no_initial_state() =>
        AssertError("MCP0005", Valid.Replace("machine Server", "machine $$Server").Replace("state Idle initial", "state Idle"));

    [Fact]
    public void MCP0006_unreachable_state() =>
        AssertError("MCP0006", Valid.Replace("  state Done final", "  state Done final\n  state $$Lost"));

    [Fact]
    public void MCP0007_transition_out_of_a_final_state() =>
        AssertError("MCP0007", Valid.Replace("end", "  $$Done on receive Hello -> Idle\nend"));

    [Fact]
    public void MCP0008_packet_received_from_the_wrong_role() =>
        AssertError("MCP0008", Valid.Replace("on receive Hello", "on receive $$Ok"));

    [Fact]
    public void MCP0009_undeclared_body_type() =>
        AssertError("MCP0009", Valid.Replace("from client body Note", "from client body $$Letter"));

    [Fact]
    public void MCP0010_trigger_with_no_transition() =>
        AssertError("MCP0010", Valid.Replace("  state Idle initial", "  event $$poke\n  state Idle initial"));

    [Fact]
    public void MCP0010_timeout_with_no_transition() =>
        AssertError("MCP0010", Valid.Replace("  state Idle initial", "  timeout $$idle 5s\n  state Idle initial"));

    [Fact]
    public void MCP0011_duplicate_name() =>
        AssertError("MCP0011", Valid.Replace("  state Done final", "  state Done final\n  state $$Idle"));

    [Fact]
    public void MCP0012_unknown_event() =>
        AssertError("MCP0012", Valid.Replace("on receive Hello", "on $$poke"));

    [Fact]
    public void MCP0019_unknown_role() =>
        AssertError("MCP0019", Valid.Replace("from client body Note", "from $$browser body Note"));

    [Fact]
    public void MCP0013_more_than_one_initial_state() =>
        AssertError("MCP0013", Valid.Replace("state Done final", "state $$Done initial final"));

    [Fact]
    public void MCP0014_conflicting_transitions() =>
        AssertError("MCP0014", Valid.Replace("end", "  $$Idle on receive Hello -> Done\nend"));

    [Fact]
    public void MCP0015_action_with_different_trigger_parameters() =>
        AssertError("MCP0015", Valid
            .Replace("  state Idle initial", "  event stop(reason: string)\n  state Idle initial")
            .Replace("Idle on receive Hello -> Done", "Idle on receive Hello -> Done do record\n  Idle on stop -> Done do $$record"));

    [Fact]
    public void MCP0016_type_that_is_not_one_byte() =>
        AssertError("MCP0016", Valid.Replace("packet Hello 'H'", "packet Hello $$'HH'"));

    [Fact]
    public void MCP0021_parameter_name_the_generated_code_uses() =>
        AssertError("MCP0021", Valid
            .Replace("  state Idle initial", "  event $$moved(from: string)\n  state Idle initial")
            .Replace("end", "  Idle on moved -> Done\nend"));

    [Fact]
    public void MCP0018_missing_namespace() =>
        AssertError("MCP0018", Valid.Replace("protocol Demo", "protocol $$Demo").Replace("namespace Demo.Wire\n", ""));

    [Fact]
    public void MCP0020_unknown_guard() =>
        AssertError("MCP0020", Valid.Replace("-> Done", "-> Done when $$ready"));

    [Fact]
    public void MCP0022_not_two_roles() =>
        AssertError("MCP0022", Valid.Replace("roles client server", "roles $$client server observer"));

    [Fact]
    public void MCP0023_property_of_an_unknown_machine() =>
        AssertError("MCP0023", Valid + "\nproperty p \"claim\": $$Client receives Hello at most 1\n");

    [Fact]
    public void MCP0024_a_machine_sending_a_packet_its_role_may_not_send() =>
        AssertError("MCP0024", Valid.Replace("Idle on receive Hello -> Done", "Idle on receive Hello -> Done send $$Hello"));

    [Fact]
    public void MCP0002_property_naming_an_unknown_state() =>
        AssertError("MCP0002", Valid + "\nproperty p: Server ends in $$Nowhere\n");

    [Fact]
    public void MCP0003_property_naming_an_unknown_packet() =>
        AssertError("MCP0003", Valid + "\nproperty p: Server reaches Done after $$Goodbye\n");

    [Fact]
    public void MCP0001_property_of_no_known_form() =>
        AssertError("MCP0001", Valid + "\nproperty p: Server $$eventually Done\n");

    [Fact]
    public void A_valid_property_and_send_clause_generate_a_model_with_the_check()
    {
        var text = Valid.Replace("Idle on receive Hello -> Done", "Idle on receive Hello -> Done send Ok") + "\nproperty greeted \"Done only after Hello\": Server reaches Done after Hello\n";

        var model = SpinModels.FromSpec(text);

        Assert.Contains("to_Client!Ok", model, StringComparison.Ordinal);
        Assert.Contains("PROPERTY greeted VIOLATED: Done only after Hello", model, StringComparison.Ordinal);
        Assert.Contains("proctype Environment_Client()", model, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_has_its_own_id_and_every_id_one_descriptor()
    {
        var ids = GeneratorHarness.DiagnosticIds();

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(n => $"MCP{n:0000}"), ids.Order());
    }

    [Fact]
    public void Errors_on_several_lines_are_all_reported_and_no_code_is_generated()
    {
        var text = Valid.Replace("-> Done", "-> Nowhere").Replace("body Note\n", "body Letter\n");
        var (run, _) = GeneratorHarness.Generate(text);

        Assert.Equal(new[] { "MCP0002", "MCP0009" }, run.Diagnostics.Select(d => d.Id).Order().ToArray());
        Assert.Empty(run.Results.Single().GeneratedSources);
    }

    [Fact]
    public void An_empty_file_says_what_is_missing()
    {
        var diagnostics = GeneratorHarness.GeneratorDiagnostics("");

        Assert.All(diagnostics, d => Assert.Equal("MCP0018", d.Id));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("protocol", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("framing", StringComparison.Ordinal));
    }

    [Fact]
    public void Garbage_input_gives_errors_not_a_crash()
    {
        var diagnostics = GeneratorHarness.GeneratorDiagnostics("\u0000\u0001 {{{ -> -> ''' \"\n machine\nend end\n\t@@@");

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.StartsWith("MCP", d.Id, StringComparison.Ordinal));
    }

    private const string Lines = """
        protocol Demo
        namespace Demo.Wire
        framing line max 100
        roles client server
        body Note text
        packet Hello "hello" from client body Note
        packet Ok "(okay more)" from server body empty
        packet Other "*" from either body Note
        """;

    [Fact]
    public void A_line_keyword_of_several_words_is_a_whole_line_reply_and_valid_only_without_a_body()
    {
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(Lines));
        AssertError("MCP0016", Lines.Replace("packet Hello \"hello\"", "packet Hello $$\"hello there\""));
        AssertError("MCP0016", Lines.Replace("packet Ok \"(okay more)\"", "packet Ok $$\"(okay  more)\""));
    }

    private static void AssertError(string id, string markedSpec)
    {
        var marker = markedSpec.IndexOf("$$", StringComparison.Ordinal);
        Assert.True(marker >= 0, "the test spec has no $$ marker");
        var text = markedSpec.Remove(marker, 2);
        var line = text.Take(marker).Count(c => c == '\n');
        var column = marker - (text.LastIndexOf('\n', Math.Max(0, marker - 1)) + 1);
        if (marker == 0)
            column = 0;

        var diagnostics = GeneratorHarness.GeneratorDiagnostics(text);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/specs/test.protocol", span.Path);
        Assert.Equal((line, column), (span.StartLinePosition.Line, span.StartLinePosition.Character));
    }
}
