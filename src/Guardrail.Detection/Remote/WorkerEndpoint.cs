using Grpc.Net.Client;
using Guardrail.Contracts.Client;
using Guardrail.Contracts.V1;
using Guardrail.State.Workers;

namespace Guardrail.Detection.Remote;

/// <summary>One detector worker as a gateway sees it: its channel (one per worker, HTTP/2
/// connections reused, keep-alive pings), the texts it has been sent and not yet answered, and
/// its circuit breaker.</summary>
public sealed class WorkerEndpoint : IDisposable
{
    private int _outstanding;

    public WorkerEndpoint(WorkerRegistration registration, CircuitBreaker breaker)
    {
        Registration = registration;
        Breaker = breaker;
        _channel = GuardrailChannel.Create(registration.Address);
        Client = new Detector.DetectorClient(_channel);
    }

    private readonly GrpcChannel _channel;

    public WorkerRegistration Registration { get; set; }

    public string Id => Registration.Id;

    public Detector.DetectorClient Client { get; }

    public CircuitBreaker Breaker { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    public void Sent(int items) => Interlocked.Add(ref _outstanding, items);

    public void Answered(int items) => Interlocked.Add(ref _outstanding, -items);

    public void Dispose() => _channel.Dispose();
}
