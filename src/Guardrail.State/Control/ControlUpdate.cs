namespace Guardrail.State.Control;

/// <summary>Read, change, compare-and-set, retried when another node wrote in between: the
/// control plane's one way of changing a record, so the rules live in C# and the stores stay simple.</summary>
internal static class ControlUpdate
{
    private const int Attempts = 16;

    /// <param name="change">The new record from the current one (null: absent); throws
    /// <see cref="ControlPlaneException"/> to refuse.</param>
    public static async ValueTask<(T Record, long Revision)> ApplyAsync<T>(
        IControlStore store, ControlTable table, string id, Func<string?, T?> read, Func<T?, T> change, Func<T, string> write, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var current = await store.GetAsync(table, id, cancellationToken).ConfigureAwait(false);
            var next = change(read(current));
            var written = await store.PutAsync(table, id, current, write(next), cancellationToken).ConfigureAwait(false);
            if (written.Written)
            {
                return (next, written.Revision);
            }
        }

        throw new ControlPlaneException(ControlError.Conflict, $"{table} record '{id}' kept changing under {Attempts} attempts; try again");
    }
}
