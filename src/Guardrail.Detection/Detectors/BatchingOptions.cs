namespace Guardrail.Detection.Detectors;

/// <summary>The dynamic batcher of each ML model (section "Guardrail:Detection:Batching"), in the
/// gateway (embedded mode) and on detector workers alike.</summary>
public sealed class BatchingOptions
{
    public const string Section = "Guardrail:Detection:Batching";

    /// <summary>Most texts in one batch: a batch is run as soon as this many are waiting. Default 64.</summary>
    public int MaxBatchItems { get; set; } = 64;

    /// <summary>Longest the first text of a batch waits for others before the batch runs anyway, in
    /// microseconds. Under load batches fill while the previous one runs, so this only matters when
    /// traffic is light: it trades that much latency for larger batches. Default 500 (0.5 ms).</summary>
    public int MaxWaitMicroseconds { get; set; } = 500;

    /// <summary>Texts waiting per model, at most; a call that would exceed it is refused at once
    /// (RESOURCE_EXHAUSTED on a worker, the detector failed and the fail mode in embedded mode),
    /// so the queue never grows without bound. Default 2048.</summary>
    public int QueueCapacity { get; set; } = 2048;

    /// <summary>Batches of one model run at once. On CPU each batch runs on
    /// Guardrail:Onnx:IntraOpThreads threads, so one runner per core keeps every core busy; on a GPU
    /// 1 or 2 (larger batches) is better. 0 means one per CPU core. Default 0.</summary>
    public int Runners { get; set; }

    public int RunnerCount => Runners > 0 ? Runners : Environment.ProcessorCount;

    public IEnumerable<string> Validate()
    {
        if (Runners is < 0 or > 256)
        {
            yield return $"{Section}:{nameof(Runners)} must be between 0 (one per CPU core) and 256 (was {Runners}).";
        }

        if (MaxBatchItems is < 1 or > 4096)
        {
            yield return $"{Section}:{nameof(MaxBatchItems)} must be between 1 and 4096 (was {MaxBatchItems}).";
        }

        if (MaxWaitMicroseconds is < 0 or > 1_000_000)
        {
            yield return $"{Section}:{nameof(MaxWaitMicroseconds)} must be between 0 and 1000000 (was {MaxWaitMicroseconds}).";
        }

        if (QueueCapacity < MaxBatchItems)
        {
            yield return $"{Section}:{nameof(QueueCapacity)} must be at least {nameof(MaxBatchItems)} ({MaxBatchItems}) (was {QueueCapacity}).";
        }
    }
}
