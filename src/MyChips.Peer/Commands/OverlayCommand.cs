using System.CommandLine;
using MyChips.Protocol.Overlay.Contacts;

namespace MyChips.Peer.Commands;

/// <summary>
/// <c>mychips-peer overlay</c>: the peer-to-peer overlay (docs/overlay.md). An identity and its contacts live in
/// a folder; <c>run</c> keeps a node up and prints the messages it receives, <c>send</c> and <c>table</c> join
/// for one task.
/// </summary>
public static class OverlayCommand
{
    public static Command Create()
    {
        var command = new Command("overlay", "Run a node of the peer-to-peer overlay, manage its contacts, send private messages.")
        {
            CreateInit(), CreateCard(), CreateAdd(), OverlayNodeCommands.CreateRun(), OverlayNodeCommands.CreateSend(), OverlayNodeCommands.CreateTable(),
        };
        return command;
    }

    internal static Option<DirectoryInfo> DirOption() => new("--dir", "-d")
    {
        Description = "The node's folder: its key and contacts (default ./overlay).",
        DefaultValueFactory = _ => new DirectoryInfo("overlay"),
        HelpName = "DIR",
    };

    private static Command CreateInit()
    {
        var dir = DirOption();
        var force = new Option<bool>("--force") { Description = "Replace an existing identity (its contacts must get new cards)." };
        var command = new Command("init", "Create a node identity (a Noise static key) in the folder and print its id.") { dir, force };
        command.SetAction(parse => Guarded(parse.InvocationConfiguration.Error, "overlay init", () =>
        {
            var folder = parse.GetValue(dir)!.FullName;
            if (OverlayState.Exists(folder) && !parse.GetValue(force))
                throw new UsageException($"'{folder}' holds an identity already; use --force to replace it");
            var state = OverlayState.Create(folder);
            parse.InvocationConfiguration.Output.WriteLine(state.Identity.Id);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateCard()
    {
        var dir = DirOption();
        var name = new Option<string>("--for") { Description = "The name you give the person the card is for.", Required = true, HelpName = "NAME" };
        var command = new Command("card", "Print a contact card for someone whose card you do not have yet; they add it with 'overlay add'.") { dir, name };
        command.SetAction(parse => Guarded(parse.InvocationConfiguration.Error, "overlay card", () =>
        {
            var state = OverlayState.Load(parse.GetValue(dir)!.FullName);
            var card = state.Contacts.Invite(CheckName(parse.GetValue(name)), state.Identity.PublicKey);
            state.Save();
            parse.InvocationConfiguration.Output.WriteLine(card);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command CreateAdd()
    {
        var dir = DirOption();
        var name = new Option<string>("--name") { Description = "The contact's name in your book.", Required = true, HelpName = "NAME" };
        var card = new Option<string>("--card") { Description = "The card they gave you (overlay-card:...).", Required = true, HelpName = "CARD" };
        var command = new Command("add", "Add a contact from the card they gave you, and print the card to give them in turn.") { dir, name, card };
        command.SetAction(parse => Guarded(parse.InvocationConfiguration.Error, "overlay add", () =>
        {
            var state = OverlayState.Load(parse.GetValue(dir)!.FullName);
            if (!ContactCard.TryParse(parse.GetValue(card), out var theirs)) throw new UsageException("--card is not a contact card (overlay-card:KEY.TOKEN)");
            var mine = state.Contacts.Add(CheckName(parse.GetValue(name)), theirs, state.Identity.PublicKey);
            state.Save();
            parse.InvocationConfiguration.Output.WriteLine(mine);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace) ? throw new UsageException($"'{name}' is not a name: one word, no spaces") : name;

    internal static int Guarded(TextWriter error, string what, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException e)
        {
            error.WriteLine($"{what}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (IOException e)
        {
            error.WriteLine($"{what}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
