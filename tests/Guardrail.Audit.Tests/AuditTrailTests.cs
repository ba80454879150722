using Guardrail.Audit.Reading;
using Guardrail.Audit.Records;
using Guardrail.Audit.Sinks;
using Guardrail.Contracts.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Guardrail.Audit.Tests;

public sealed class AuditTrailTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Admin_actions_and_decisions_share_the_log_with_their_actor()
    {
        var log = new AuditLog(new JsonlFileSink(_folder.Path, 1 << 20, TimeProvider.System), new AuditOptions(), NullLogger.Instance);
        var trail = new AuditTrail(log, new ScreenAuditRecords("prod", new HashSet<string>(), null), TimeProvider.System);
        await trail.RecordAdminAsync("acme", "key:ops-oncall", "IsolateModel", "guardrail-injection-classifier@1.0.0", "false positives on invoices", CancellationToken.None);
        await trail.RecordScreenAsync(new ScreenRequest { Text = "hi" }, new ScreenResponse { RequestId = "r1", TenantId = "acme", Verdict = Verdict.Allow }, TimeSpan.FromMilliseconds(2), CancellationToken.None);
        await trail.DisposeAsync();

        var records = AuditFiles.Search(_folder.Path, new AuditQuery(Environment: "prod", Tenant: "acme"), []);
        Assert.Equal([AuditRecord.AdminKind, AuditRecord.ScreenKind], records.Select(r => r.Kind));
        var admin = records[0];
        Assert.Equal(("key:ops-oncall", "IsolateModel", "guardrail-injection-classifier@1.0.0"), (admin.Actor, admin.Action, admin.Target));
        Assert.Equal(32, admin.RequestId.Length);
    }

    public void Dispose() => _folder.Dispose();
}
