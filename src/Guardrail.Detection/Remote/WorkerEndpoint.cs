using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.V1;
using Guardrail.State.Workers;

namespace Guardrail.Detection.Remote;

/// <summary>One detector worker as a gateway sees it: its channel (one per worker, HTTP/2
/// connections reused, keep-alive pings), the texts it has been sent and not yet answered, its
/// circuit breaker, and whether it answered its last health probe.</summary>
public sealed class WorkerEndpoint : IDisposable
{
    private int _outstanding;
    private volatile bool _serving;

    public WorkerEndpoint(WorkerRegistration registration, CircuitBreaker breaker)
    {
        Registration = registration;
        Breaker = breaker;
        _channel = GuardrailChannel.Create(registration.Address);
        Client = new Detector.DetectorClient(_channel);
        _health = new Health.HealthClient(_channel);
    }

    private readonly Health.HealthClient _health;

    private readonly GrpcChannel _channel;

    public WorkerRegistration Registration { get; set; }

    public string Id => Registration.Id;

    public Detector.DetectorClient Client { get; }

    public CircuitBreaker Breaker { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Whether the worker answered its last grpc.health.v1 probe SERVING; false until it
    /// has. A listed address nobody answers at (a static list, a stale registration) is not a worker
    /// that can serve, though its breaker stays closed until calls have failed.</summary>
    public bool Serving => _serving;

    public async Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _health.CheckAsync(new HealthCheckRequest { Service = Detector.Descriptor.FullName }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            _serving = reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (Exception e) when (e is RpcException or ObjectDisposedException or OperationCanceledException)
        {
            _serving = false; // also when the pool drops or stops it mid-probe
        }
    }

    public void Sent(int items) => Interlocked.Add(ref _outstanding, items);

    public void Answered(int items) => Interlocked.Add(ref _outstanding, -items);

    public void Dispose() => _channel.Dispose();
}
