using System.CommandLine;
using MyChips.Peer.NoiseVectors;

var root = new RootCommand("mychips-peer: run and inspect MyCHIPs peer nodes.");

var demo = new Command("demo", "Two sites talking over loopback with the in-memory key store.");
demo.SetAction(_ =>
{
    // The peer runtime is not in this build yet; say so rather than print a made-up exchange.
    Console.Error.WriteLine("demo: the peer runtime (connections, Noise handshakes) is not part of this build yet.");
    Console.Error.WriteLine("demo: this build has the solution layout, the test fixtures and CI; see README.md, 'Status'.");
    return 2;
});
root.Subcommands.Add(demo);
root.Subcommands.Add(NoiseVectorsCommand.Create());

return root.Parse(args).Invoke();
