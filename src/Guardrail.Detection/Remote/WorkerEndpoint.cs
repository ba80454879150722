using Guardrail.Rpc.Client;
using Guardrail.State.Workers;

namespace Guardrail.Detection.Remote;

/// <summary>One detector worker as a gateway sees it: its client, the texts it has been sent and
/// not yet answered, and its circuit breaker.</summary>
public sealed class WorkerEndpoint : IDisposable
{
    private int _outstanding;

    public WorkerEndpoint(WorkerRegistration registration, CircuitBreaker breaker)
    {
        Registration = registration;
        Breaker = breaker;
        Client = new GrpcClient(GrpcClient.ParseAddress(registration.Address));
    }

    public WorkerRegistration Registration { get; set; }

    public string Id => Registration.Id;

    public GrpcClient Client { get; }

    public CircuitBreaker Breaker { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    public void Sent(int items) => Interlocked.Add(ref _outstanding, items);

    public void Answered(int items) => Interlocked.Add(ref _outstanding, -items);

    public void Dispose() => Client.Dispose();
}
