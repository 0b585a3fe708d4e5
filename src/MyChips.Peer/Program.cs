using System.CommandLine;
using MyChips.Peer.Demo;
using MyChips.Peer.NoiseVectors;
using MyChips.Peer.Serve;
using MyChips.Protocol.Peers;

var root = new RootCommand("mychips-peer: run and inspect MyCHIPs peer nodes.");

var demo = new Command("demo", "Two sites talking over loopback with the in-memory key store.");
var demoMode = new Option<PeerMode>("--mode") { Description = "Strict (default), MyChipsJs or Raw.", DefaultValueFactory = _ => PeerMode.Strict };
demo.Options.Add(demoMode);
demo.SetAction((parse, _) => PeerDemo.RunAsync(Console.Out, parse.GetValue(demoMode)));
root.Subcommands.Add(demo);
root.Subcommands.Add(NoiseVectorsCommand.Create());
root.Subcommands.Add(ServeCommand.Create());

return root.Parse(args).Invoke();
