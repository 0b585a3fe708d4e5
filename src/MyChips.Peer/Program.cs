using MyChips.Peer.Commands;

return await CommandLineRunner.InvokeAsync(PeerCommands.CreateRoot(), args, Console.Out, Console.Error);
