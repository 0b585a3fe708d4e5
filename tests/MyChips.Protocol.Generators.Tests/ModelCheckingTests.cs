using MyChips.Protocol.Testing;

namespace MyChips.Protocol.Generators.Tests;

/// <summary>
/// Every spec under spec/ is model-checked with SPIN: its machines over a network that loses, duplicates, reorders
/// and replays packets, its properties as assertions. Each property is also shown to catch the bug it is about: a
/// spec with one transition changed gives a counterexample that names the property, the packets and the states.
/// </summary>
public sealed class ModelCheckingTests
{
    public static TheoryData<string, string> SpecsAndNetworks()
    {
        var data = new TheoryData<string, string>();
        foreach (var spec in new[] { "mychips-peer.protocol", "ciyam-peer.protocol", "rendezvous.protocol", "direct-call.protocol", "overlay.protocol" })
            foreach (var network in new[] { "", "LOSS", "DUPLICATE", "REORDER", "REPLAY", "LOSS,DUPLICATE,REORDER", "LOSS,DUPLICATE,REORDER,REPLAY,BUDGET=1" })
                data.Add(spec, Bounded(spec, network));
        return data;
    }

    [Theory]
    [MemberData(nameof(SpecsAndNetworks))]
    public async Task Every_property_of_every_spec_holds(string spec, string network)
    {
        var model = SpinModels.FromSpec(GeneratorHarness.ReadSpec(spec));

        var result = await SpinModelChecker.CheckAsync(model, Defines(network));

        Assert.True(result.Holds, result.Report + result.Trail);
        Assert.True(result.States > 0, result.Report);
    }

    public static TheoryData<string, string, string, string, string> Mutations => new()
    {
        // spec, property, the change, the network, a step the counterexample must show
        {
            "mychips-peer.protocol", "openOnlyAfterHandshake",
            "Listening, Identified on receive Offer -> stay do recordOffer=>Listening on receive Offer -> stay do recordOffer\n  Identified on receive Offer -> Open do recordOffer",
            "", "Responder: Identified --receive Offer--> Open"
        },
        { "mychips-peer.protocol", "knockOnce", "  Open       on receive Transport -> stay=>  Open       on receive Transport -> stay\n  Open       on receive Knock -> stay", "REPLAY", "replays Knock" },
        { "mychips-peer.protocol", "ticketOnce", "  Open       on receive Transport -> stay=>  Open       on receive Transport -> stay\n  Open       on receive Ticket -> stay", "REPLAY", "replays Ticket" },
        { "mychips-peer.protocol", "initiatorSettles", "  Pending on timeout handshake -> Closed  do abandon=>  Open on timeout handshake -> Closed  do abandon", "LOSS", "Initiator: Idle --connect--> Pending" },
        { "mychips-peer.protocol", "responderSettles", "Listening, Identified, Ticketed, Confirming on timeout handshake=>Listening, Identified, Ticketed on timeout handshake", "LOSS", "Responder: Identified --receive Knock--> Confirming" },
        { "ciyam-peer.protocol", "checkFirst", "ExpectingPut on receive Put -> ExpectingGet do storeFile=>ExpectingPut, Secured on receive Put -> ExpectingGet do storeFile", "", "Responder: Secured --receive Put--> ExpectingGet" },
        { "overlay.protocol", "helloOnce", "  Waiting  on receive Hello   -> Answered do answer send Answer=>  Waiting  on receive Hello   -> Answered do answer send Answer\n  Answered on receive Hello   -> stay do answer send Answer", "REPLAY", "replays Hello" },
        { "ciyam-peer.protocol", "fairTransfers", "ExpectingPut on receive Put -> ExpectingGet do storeFile=>ExpectingPut on receive Put -> ExpectingGet do storeFile\n  ExpectingGet on receive Put -> stay do storeFile", "BUDGET=3", "Responder: ExpectingGet --receive Put--> ExpectingGet" },
        { "rendezvous.protocol", "registerOnce", "  Registered on receive Connect  -> stay       do forwardConnect=>  Registered on receive Connect  -> stay       do forwardConnect\n  Registered on receive Register -> stay do register", "REPLAY", "replays Register" },
        { "direct-call.protocol", "callAfterSetup", "  Open    on receive Hangup -> stay=>  Open    on receive Hangup -> InCall", "LOSS,CAPACITY=3", "receive Hangup" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task A_spec_that_breaks_a_property_gets_a_readable_counterexample(string spec, string property, string change, string network, string step)
    {
        var (from, to) = (change.Split("=>")[0], change.Split("=>")[1]);
        var text = GeneratorHarness.ReadSpec(spec);
        Assert.Contains(from, text, StringComparison.Ordinal);
        var model = SpinModels.FromSpec(text.Replace(from, to, StringComparison.Ordinal));

        var result = await SpinModelChecker.CheckAsync(model, Defines(network));

        Assert.False(result.Holds, $"the change to {spec} should break {property}:\n{result.Report}");
        Assert.Contains($"PROPERTY {property} VIOLATED", result.Trail, StringComparison.Ordinal);
        Assert.Contains(step, result.Trail, StringComparison.Ordinal);
    }

    // Calls let both sides fire events and send in every state, so the direct-call model searches smaller channels.
    private static string Bounded(string spec, string network) =>
        spec == "direct-call.protocol" ? string.Join(',', new[] { network, "CAPACITY=3" }.Where(n => n.Length > 0)) : network;

    private static string[] Defines(string network) => network.Length == 0 ? [] : network.Split(',');
}
