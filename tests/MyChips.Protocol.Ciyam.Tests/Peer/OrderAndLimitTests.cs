using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Protocol.Ciyam.Tests.Peer;

/// <summary>Commands out of order, unknown commands, oversized lines and files, silent peers, pip and help rules.</summary>
public sealed class OrderAndLimitTests
{
    private static readonly string Hello = HelloBlob.Hash;

    public static TheoryData<string[], string> WrongOrders => new()
    {
        { ["put " + Hello], "(error)invalid state for put" },
        { ["get " + Hello], "(error)invalid state for get" },
        { ["pip 127.0.0.1"], "(error)invalid state for pip" },
        { ["chk hello", "get " + Hello], "(error)invalid state for get" },
        { ["chk hello", "tls"], "(error)invalid state for tls" },
        { ["chk hello", "put " + Hello, "put " + Hello], "(error)invalid state for put" },
        { ["chk hello", "pip 127.0.0.1", "pip 127.0.0.1"], "(error)pip twice in a row" },
        { ["shout hello"], "(error)unknown command 'shout'" },
        { ["chk"], "(error)invalid command usage 'chk '" },
        { ["chk hello", "put not-a-hash"], "(error)'not-a-hash' is not a file hash" },
    };

    [Theory]
    [MemberData(nameof(WrongOrders))]
    public async Task Each_command_out_of_order_is_answered_with_an_error_and_ends_the_session(string[] typed, string error)
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        List<string> shown = [];
        foreach (var line in typed) shown = await client.CommandAsync(line);

        Assert.Equal(error, shown[^1]);
        Assert.True(await client.ClosedAsync());
        Assert.Equal(error[CiyamReplies.ErrorPrefix.Length..], await (await node.Started.Task).Ended.WaitAsync(LineClient.Patience));
    }

    [Fact]
    public async Task Help_is_shown_once_and_a_second_help_ends_the_session()
    {
        await using var node = new TestListener();
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        var help = await client.CommandAsync("?");
        await client.SendAsync("help");

        Assert.Equal(["commands:", "========="], help.Take(2));
        Assert.Contains(help, l => l.StartsWith("pip <addr>", StringComparison.Ordinal));
        Assert.True(await client.ClosedAsync());
        Assert.Equal("bye", await (await node.Started.Task).Ended.WaitAsync(LineClient.Patience));
    }

    [Fact]
    public async Task A_line_ended_by_a_bare_line_feed_is_read_as_CIYAM_reads_it()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        await client.Wire.WriteAsync("shout hello\n");

        Assert.Equal("(error)unknown command 'shout'", await client.ReadAsync());
    }

    [Fact]
    public async Task A_line_longer_than_500_bytes_is_refused_before_it_ends()
    {
        await using var node = new TestListener();
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        await client.Wire.WriteAsync("chk " + new string('x', 2_000));

        Assert.Equal("(error)a line is longer than the 500-byte maximum", await client.ReadAsync());
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task A_transfer_larger_than_the_largest_file_is_refused_by_its_header()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();
        await client.CommandAsync("chk hello");

        await client.SendAsync("put " + new string('a', 64));
        await client.SendAsync("2000000:4096.b64");

        Assert.Equal("(error)bad transfer header: size 2000000 is outside 1 to 1000000 bytes", await client.ReadAsync());
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task A_file_that_does_not_match_its_hash_is_dropped()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();
        await client.CommandAsync("chk hello");

        await client.SendAsync("put " + new string('a', 64));
        await client.SendAsync("6:4096.b64!01aGVsbG8=");

        Assert.StartsWith("(error)the file received does not hash to aaaa", await client.ReadAsync(), StringComparison.Ordinal);
        Assert.Equal(0, node.Files.Area.Count);
    }

    [Fact]
    public async Task A_peer_that_stops_sending_in_the_middle_of_a_transfer_is_dropped_when_its_request_times_out()
    {
        var clock = new FakeTimeProvider();
        var reads = Channel.CreateUnbounded<TimeSpan>();
        var options = new CiyamPeerOptions { Time = clock, Waiting = t => reads.Writer.TryWrite(t), ChooseExtra = () => CiyamExtra.None };
        await using var node = new TestListener(options);
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();
        await client.CommandAsync("chk hello");

        await client.SendAsync("put " + new string('a', 64));
        await client.SendAsync("30000:4096.b64");
        Assert.Equal(CiyamReplies.OkayMore, await client.ReadAsync());
        await client.Wire.WriteAsync(new string('A', 4_096));
        Assert.Equal(CiyamReplies.OkayMore, await client.ReadAsync());
        // The listener now waits for the second chunk: its fifth timed wait (the greeting, the hello back, the header and the first chunk came before).
        for (var i = 0; i < 5; i++) await reads.Reader.ReadAsync().AsTask().WaitAsync(LineClient.Patience);
        clock.Advance(options.Timeouts.Request + TimeSpan.FromSeconds(1));

        Assert.Equal("(error)the peer stopped answering (timeout)", await client.ReadAsync());
        // The listener's close waits for the peer's FIN on the (stopped) clock: the peer hangs up.
        await client.DisposeAsync();
        Assert.Contains("timeout", await (await node.Started.Task).Ended.WaitAsync(LineClient.Patience), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_sends_nothing_after_connecting_is_dropped_after_the_greeting_timeout()
    {
        var clock = new FakeTimeProvider();
        var reads = Channel.CreateUnbounded<TimeSpan>();
        var options = new CiyamPeerOptions { Time = clock, Waiting = t => reads.Writer.TryWrite(t) };
        await using var node = new TestListener(options);
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();

        Assert.Equal(options.Timeouts.Greeting, await reads.Reader.ReadAsync().AsTask().WaitAsync(LineClient.Patience));
        clock.Advance(options.Timeouts.Request);
        Assert.False((await node.Started.Task).Ended.IsCompleted);
        clock.Advance(options.Timeouts.Greeting - options.Timeouts.Request);

        Assert.Equal("(error)the peer stopped answering (timeout)", await client.ReadAsync());
    }

    [Fact]
    public async Task A_put_into_a_full_files_area_ends_the_session_with_an_error()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None }, new Files.FilesAreaLimits { MaxFiles = 1 });
        node.Files.AddBlob(1);
        await using var client = await LineClient.ConnectAsync(node.Port);
        await client.GreetingAsync();
        await client.CommandAsync("chk hello");

        Assert.Equal(["(error)file '" + Hello + "' not kept: AreaFull"], await client.CommandAsync("put " + Hello));
        Assert.Equal(1, node.Files.Area.Count);
    }

    [Fact]
    public async Task Random_lines_get_an_error_or_an_answer_and_never_hang_the_listener()
    {
        var random = new Random(20261129);
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None });
        for (var round = 0; round < 40; round++)
        {
            var bytes = new byte[random.Next(1, 80)];
            random.NextBytes(bytes);
            var line = new string(bytes.Select(b => (char)(b % 95 + 32)).ToArray());
            await using var client = await LineClient.ConnectAsync(node.Port);
            await client.GreetingAsync();

            await client.SendAsync(line);

            var reply = await client.ReadAsync();
            Assert.True(reply.StartsWith(CiyamReplies.ErrorPrefix, StringComparison.Ordinal) || reply == "commands:", $"'{line}' -> '{reply}'");
        }
        Assert.Equal(0, node.Files.Area.Count);
    }

    [Fact]
    public async Task One_peer_more_than_the_maximum_is_refused()
    {
        await using var node = new TestListener(new CiyamPeerOptions { MaxPeers = 1 });
        await using var first = await LineClient.ConnectAsync(node.Port);
        await first.GreetingAsync();
        await using var second = await LineClient.ConnectAsync(node.Port);

        Assert.Equal("(error)max peers reached", await second.ReadAsync());
        Assert.True(await second.ClosedAsync());
        Assert.Equal(1, node.Listener.SessionCount);
    }

    [Fact]
    public async Task Pip_answers_with_another_connected_peer_and_the_listener_never_pips_twice_in_a_row()
    {
        await using var node = new TestListener(new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.Pip });
        await using var alone = await LineClient.ConnectAsync(node.Port);
        await alone.GreetingAsync();
        await alone.CommandAsync("chk hello");
        Assert.Equal(["127.0.0.1", "pip 127.0.0.1"], await alone.CommandAsync("pip 127.0.0.1"));

        await using var other = await LineClient.ConnectAsync(node.Port, IPAddress.Parse("127.0.0.2"));
        await other.GreetingAsync();
        await other.CommandAsync("chk hello");

        // Its last command was a pip, so after this put it gets rather than pips again.
        Assert.Equal(["get " + Hello], await alone.CommandAsync("put " + Hello));
        Assert.Equal(["127.0.0.2", "pip 127.0.0.1"], await alone.CommandAsync("pip 127.0.0.1"));
    }
}
