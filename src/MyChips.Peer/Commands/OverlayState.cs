using System.Globalization;
using MyChips.Protocol.Overlay.Contacts;
using MyChips.Protocol.Overlay.Identity;

namespace MyChips.Peer.Commands;

/// <summary>
/// An overlay node's folder: <c>overlay.key</c> (the Noise private key, the token secret and the last card serial,
/// hex, owner-only) and <c>contacts.txt</c> (one line per contact or open invitation).
/// </summary>
public sealed class OverlayState
{
    private const string KeyFile = "overlay.key";
    private const string ContactsFile = "contacts.txt";

    private OverlayState(string folder, OverlayIdentity identity, ContactBook contacts) => (Folder, Identity, Contacts) = (folder, identity, contacts);

    public string Folder { get; }

    public OverlayIdentity Identity { get; }

    public ContactBook Contacts { get; }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, KeyFile));

    public static OverlayState Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var state = new OverlayState(folder, OverlayIdentity.Generate(), new ContactBook());
        state.Save();
        return state;
    }

    /// <summary>Loads the folder; a missing or damaged file is an <see cref="UsageException"/> that says which.</summary>
    public static OverlayState Load(string folder)
    {
        var keyPath = Path.Combine(folder, KeyFile);
        if (!File.Exists(keyPath)) throw new UsageException($"no overlay identity in '{folder}'; run 'mychips-peer overlay init --dir {folder}' first");
        try
        {
            var keys = File.ReadAllLines(keyPath).Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            var identity = OverlayIdentity.FromPrivateKey(Convert.FromHexString(keys["private"]));
            var tokens = new ContactTokens(Convert.FromHexString(keys["tokens"]), long.Parse(keys["serial"], CultureInfo.InvariantCulture));
            var contacts = new List<Contact>();
            var invitations = new List<KeyValuePair<string, long>>();
            var contactsPath = Path.Combine(folder, ContactsFile);
            foreach (var line in File.Exists(contactsPath) ? File.ReadAllLines(contactsPath) : [])
            {
                var parts = line.Split(' ');
                if (parts is ["contact", var name, var serial, var card] && ContactCard.TryParse(card, out var parsed))
                    contacts.Add(new Contact(name, parsed, long.Parse(serial, CultureInfo.InvariantCulture)));
                else if (parts is ["invite", var invited, var invitedSerial])
                    invitations.Add(new(invited, long.Parse(invitedSerial, CultureInfo.InvariantCulture)));
                else if (line.Length > 0) throw new FormatException($"a line of {ContactsFile} is neither a contact nor an invitation: '{line}'");
            }
            return new OverlayState(folder, identity, ContactBook.Restore(tokens, contacts, invitations));
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or ArgumentException or IOException)
        {
            throw new UsageException($"the overlay files in '{folder}' are damaged: {e.Message}");
        }
    }

    public void Save()
    {
        var tokens = Contacts.Tokens;
        var keyPath = Path.Combine(Folder, KeyFile);
        File.WriteAllLines(keyPath,
        [
            $"private {Convert.ToHexStringLower(Identity.PrivateKey.Span)}",
            $"tokens {Convert.ToHexStringLower(tokens.Secret.Span)}",
            $"serial {tokens.LastSerial.ToString(CultureInfo.InvariantCulture)}",
        ]);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllLines(Path.Combine(Folder, ContactsFile),
            Contacts.Contacts.Select(c => $"contact {c.Name} {c.MySerial.ToString(CultureInfo.InvariantCulture)} {c.TheirCard}")
                .Concat(Contacts.Invitations.Select(i => $"invite {i.Key} {i.Value.ToString(CultureInfo.InvariantCulture)}")));
    }
}
