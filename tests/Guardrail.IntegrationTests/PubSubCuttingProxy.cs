using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Guardrail.IntegrationTests;

/// <summary>
/// A TCP proxy in front of Redis that can silently lose pub/sub: connections that subscribed to the channel
/// keep working in the client-to-server direction, but while <see cref="Cut"/> is set nothing the
/// server sends on them reaches the client. Commands on other connections pass untouched. This is
/// the failure the control plane's reconcile exists for: messages lost without the connection
/// closing.
/// </summary>
public sealed class PubSubCuttingProxy : IAsyncDisposable
{
    private readonly byte[] _channel;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _redis;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    /// <param name="channel">The pub/sub channel whose subscriber connections lose their messages
    /// (other subscriptions, e.g. the client library's own, keep working).</param>
    public PubSubCuttingProxy(int redisPort, string channel)
    {
        _channel = Encoding.ASCII.GetBytes(channel);
        _redis = new IPEndPoint(IPAddress.Loopback, redisPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>While true, subscriber connections receive nothing.</summary>
    public volatile bool Cut;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var server = new TcpClient();
            await server.ConnectAsync(_redis);
            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(server);
            }

            var subscriber = new StrongBox<bool>();
            _ = PumpAsync(client.GetStream(), server.GetStream(), toServer: true, subscriber);
            _ = PumpAsync(server.GetStream(), client.GetStream(), toServer: false, subscriber);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool toServer, StrongBox<bool> subscriber)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (toServer && !subscriber.Value && buffer.AsSpan(0, read).IndexOf(_channel) >= 0)
                {
                    subscriber.Value = true;
                }

                if (!toServer && subscriber.Value && Cut)
                {
                    continue; // lost on the way
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // either side went away: the other pump ends too
        }
        finally
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }

        await _accepting;
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
