using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using HealthPortal.Ledger;

namespace HealthPortal.Features.Consortium;

/// <summary>What the leader answers a forwarded transaction.</summary>
public enum ForwardStatus : byte
{
    /// <summary>The transaction's block committed on the leader; the forwarding node waits for it to commit locally.</summary>
    Committed = 0,
    Refused = 1,
    /// <summary>The receiving node is not (or no longer) the leader: find the leader and retry.</summary>
    NotLeader = 2,
}

public sealed record ForwardReply(ForwardStatus Status, LedgerError Error = LedgerError.None, string? Message = null);

/// <summary>
/// Followers forward their users' transactions to the leader over this channel: TCP with mutual TLS
/// (<see cref="NodeCertificates"/>), so only approved facility nodes can submit through the leader. Frames are a
/// big-endian u32 length and a body: a request is a transaction's wire JSON; a reply is status byte, i32 error code
/// and a UTF-8 message. Connections are reused, one request at a time each. A request that starts with
/// <c>HPMJ</c> is a node announcing its endpoints to join the voting membership (<see cref="MemberDirectory"/>).
/// </summary>
public sealed class ForwardingChannel : IAsyncDisposable
{
    private const int MaxFrame = 1 << 20; // a transaction's wire form is far smaller; a hostile length is a refusal
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At most this many connections to one peer. Each carries one request until the leader has committed its block,
    /// so without a bound thousands of concurrent submitters on a follower opened thousands of TLS connections at once
    /// (measured: 18,000 descriptors, every handshake timing out); beyond it, requests wait for a free connection.
    /// </summary>
    public const int MaxConnectionsPerPeer = 128;
    private readonly ConcurrentDictionary<EndPoint, SemaphoreSlim> _slots = new();

    private readonly SslServerAuthenticationOptions _server;
    private readonly SslClientAuthenticationOptions _client;
    private readonly Func<byte[], string?, CancellationToken, Task<ForwardReply>> _handle;
    private readonly Action<string> _log;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<EndPoint, ConcurrentBag<SslStream>> _pool = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _acceptLoop;

    public ForwardingChannel(IPEndPoint listen, SslServerAuthenticationOptions server, SslClientAuthenticationOptions client,
        Func<byte[], CancellationToken, Task<ForwardReply>> handle, Action<string> log)
        : this(listen, server, client, (request, _, ct) => handle(request, ct), log)
    {
    }

    /// <param name="handle">Gets each request with the ledger key id of the peer that sent it (from its TLS certificate).</param>
    public ForwardingChannel(IPEndPoint listen, SslServerAuthenticationOptions server, SslClientAuthenticationOptions client,
        Func<byte[], string?, CancellationToken, Task<ForwardReply>> handle, Action<string> log)
    {
        _server = server;
        _client = client;
        _handle = handle;
        _log = log;
        _listener = new TcpListener(listen);
        _listener.Start();
        _acceptLoop = AcceptLoop();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _log("forwarding accept failed: " + e.Message);
                continue;
            }
            var serving = Serve(client);
            _connections.TryAdd(serving, 0);
            _ = serving.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(_server, handshake.Token).ConfigureAwait(false);
            }
            var peer = NodeCertificates.NodeIdOf(ssl.RemoteCertificate);
            while (!_stop.IsCancellationRequested)
            {
                var request = await ReadFrame(ssl, _stop.Token).ConfigureAwait(false);
                if (request is null) return;
                var reply = await _handle(request, peer, _stop.Token).ConfigureAwait(false);
                await WriteFrame(ssl, EncodeReply(reply), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException)
        {
            if (!_stop.IsCancellationRequested) _log("forwarding connection closed: " + e.Message);
        }
    }

    /// <summary>Sends one transaction to the node listening at <paramref name="leader"/> and returns its reply.</summary>
    /// <exception cref="IOException">the connection failed (the caller retries, bounded).</exception>
    public async Task<ForwardReply> SendAsync(EndPoint leader, byte[] transactionWire, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(leader, _ => new SemaphoreSlim(MaxConnectionsPerPeer, MaxConnectionsPerPeer));
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SendOnPooled(leader, transactionWire, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<ForwardReply> SendOnPooled(EndPoint leader, byte[] transactionWire, CancellationToken cancellationToken)
    {
        var bag = _pool.GetOrAdd(leader, _ => []);
        if (!bag.TryTake(out var ssl)) ssl = await ConnectAsync(leader, cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteFrame(ssl, transactionWire, cancellationToken).ConfigureAwait(false);
            var reply = await ReadFrame(ssl, cancellationToken).ConfigureAwait(false) ?? throw new IOException("the leader closed the connection");
            bag.Add(ssl);
            return DecodeReply(reply);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<SslStream> ConnectAsync(EndPoint leader, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(HandshakeTimeout);
            var ip = (IPEndPoint)leader;
            await tcp.ConnectAsync(ip.Address, ip.Port, connect.Token).ConfigureAwait(false);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(_client, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"TLS with {leader} failed: {e.Message}", e);
            }
            return ssl;
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new IOException($"cannot reach {leader}: {e.Message}", e);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static byte[] EncodeReply(ForwardReply reply)
    {
        var message = Encoding.UTF8.GetBytes(reply.Message ?? "");
        var bytes = new byte[5 + message.Length];
        bytes[0] = (byte)reply.Status;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), (int)reply.Error);
        message.CopyTo(bytes, 5);
        return bytes;
    }

    private static ForwardReply DecodeReply(byte[] bytes)
    {
        if (bytes.Length < 5 || bytes[0] > (byte)ForwardStatus.NotLeader) throw new IOException("the leader's reply is malformed");
        return new ForwardReply((ForwardStatus)bytes[0], (LedgerError)BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)), Encoding.UTF8.GetString(bytes.AsSpan(5)));
    }

    private static async Task WriteFrame(Stream stream, byte[] body, CancellationToken ct)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<byte[]?> ReadFrame(Stream stream, CancellationToken ct)
    {
        var length = new byte[4];
        var read = await stream.ReadAtLeastAsync(length, 4, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < 4) throw new IOException("truncated frame");
        var size = BinaryPrimitives.ReadUInt32BigEndian(length);
        if (size > MaxFrame) throw new IOException($"frame of {size} bytes is over the limit");
        var body = new byte[size];
        await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var bag in _pool.Values)
            while (bag.TryTake(out var ssl)) await ssl.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _stop.Dispose();
    }
}
