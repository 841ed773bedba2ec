using System.Text.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The policy workflows' notifications: queued for every webhook in the same save as the step they announce, delivered
/// signed to a real receiver on loopback, and the deadlines announced once each by the job that watches the clock. The
/// receiver refuses timestamps far from the real time, so tests that move the clock by days read the queued deliveries.
/// </summary>
public abstract class WorkflowNotificationTests(WebhookApp app) : ProviderTests(app)
{
    private new WebhookApp App { get; } = app;

    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private DeadlineNotifications Deadlines => App.Services.GetRequiredService<DeadlineNotifications>();

    /// <summary>The deliveries queued for the first webhook about <paramref name="number"/> (CR-12, EX-3, v2), in order.</summary>
    private async Task<List<(string Type, JsonElement Body)>> QueuedAsync(string number)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookUrl == App.FirstUrl).ToListAsync(Ct);
        return rows.OrderBy(d => d.Id)
            .Select(d => (d.EventType, JsonDocument.Parse(d.Payload).RootElement))
            .Where(d => d.Item2.TryGetProperty("subject", out var s) && s.GetProperty("number").GetString() == number)
            .ToList();
    }

    private async Task<(Person Requestor, ChangeResponse Change)> EmergencyStartedAsync()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(), type: "Emergency") with
        {
            EmergencyJustification = "Checkout is down.",
            TestResults = null,
        });
        return (requestor, await requestor.ActAsync(draft.Number, "start"));
    }

    [Fact]
    public async Task An_emergency_s_write_up_and_review_are_announced_as_due_once_within_their_warning_and_overdue_a_second_after_their_deadline()
    {
        var (_, change) = await EmergencyStartedAsync();
        (await QueuedAsync(change.Number)).Select(q => q.Type).ShouldBe([WorkflowNotification.EmergencyStarted]);
        var due = change.DocumentationDueAt!.Value;
        async Task<List<string>> AtAsync(DateTime now)
        {
            App.Time.SetUtcNow(new DateTimeOffset(now, TimeSpan.Zero));
            await Deadlines.RunOnceAsync(Ct);
            await Deadlines.RunOnceAsync(Ct);
            return (await QueuedAsync(change.Number)).Select(q => q.Type).ToList();
        }

        (await AtAsync(due - DeadlineNotifications.DocumentationWarning - TimeSpan.FromSeconds(1))).Count.ShouldBe(1, "not yet within 4 hours");
        (await AtAsync(due - DeadlineNotifications.DocumentationWarning)).ShouldBe([WorkflowNotification.EmergencyStarted, WorkflowNotification.DocumentationDue]);
        (await AtAsync(due)).Count.ShouldBe(2, "not overdue at its deadline, and reminded once");
        (await AtAsync(due.AddSeconds(1))).ShouldBe(
            [WorkflowNotification.EmergencyStarted, WorkflowNotification.DocumentationDue, WorkflowNotification.DocumentationOverdue]);
        var queued = await QueuedAsync(change.Number);
        queued[1].Body.GetProperty("dueAt").GetDateTime().ShouldBe(due, TimeSpan.FromMilliseconds(1));
        queued[2].Body.GetProperty("dueAt").GetDateTime().ShouldBe(due, TimeSpan.FromMilliseconds(1));

        var reviewDue = change.ReviewDueAt!.Value;
        (await AtAsync(reviewDue - DeadlineNotifications.ReviewWarning - TimeSpan.FromSeconds(1))).Count.ShouldBe(3, "not yet within 2 days");
        (await AtAsync(reviewDue - DeadlineNotifications.ReviewWarning))[3..].ShouldBe([WorkflowNotification.ReviewDue]);
        (await AtAsync(reviewDue))[3..].ShouldBe([WorkflowNotification.ReviewDue], "not overdue at its deadline, and reminded once");
        (await AtAsync(reviewDue.AddSeconds(1)))[3..].ShouldBe([WorkflowNotification.ReviewDue, WorkflowNotification.ReviewOverdue]);
    }

    [Fact]
    public async Task More_than_a_batch_of_write_ups_overdue_at_once_are_all_announced_and_one_overdue_later_too()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var service = await S.ServiceAsync();
        async Task<string> StartAsync()
        {
            var draft = await requestor.CreateAsync(S.CompleteChange(service, type: "Emergency") with
            {
                EmergencyJustification = "Checkout is down.",
                TestResults = null,
            });
            return (await requestor.ActAsync(draft.Number, "start")).Number;
        }
        async Task<HashSet<string>> OverdueAnnouncedAsync()
        {
            await using var scope = App.Services.CreateAsyncScope();
            var payloads = await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().WebhookDeliveries.AsNoTracking()
                .Where(d => d.WebhookUrl == App.FirstUrl && d.EventType == WorkflowNotification.DocumentationOverdue).Select(d => d.Payload)
                .ToListAsync(Ct);
            return payloads.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("subject").GetProperty("number").GetString()!).ToHashSet();
        }
        var started = new List<string>();
        for (var i = 0; i <= DeadlineNotifications.BatchSize; i++)
            started.Add(await StartAsync());

        App.Time.Advance(ChangeRequest.EmergencyDocumentationWindow + TimeSpan.FromSeconds(1));
        (await Deadlines.RunOnceAsync(Ct)).ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(DeadlineNotifications.BatchSize);
        await Deadlines.RunOnceAsync(Ct);
        started.Except(await OverdueAnnouncedAsync()).ShouldBeEmpty("the second round takes those beyond the first batch");

        // Overdue later, behind more than a batch of deadlines announced already.
        var latest = await StartAsync();
        App.Time.Advance(ChangeRequest.EmergencyDocumentationWindow + TimeSpan.FromSeconds(1));
        await Deadlines.RunOnceAsync(Ct);
        (await OverdueAnnouncedAsync()).ShouldContain(latest);
    }

    [Fact]
    public async Task On_PostgreSQL_an_instance_holding_the_advisory_lock_keeps_the_others_from_announcing()
    {
        if (App.Provider != TestProvider.Postgres)
            Assert.Skip("The advisory lock is PostgreSQL's; SQLite serves one instance.");
        var (_, change) = await EmergencyStartedAsync();
        App.Time.SetUtcNow(new DateTimeOffset(change.DocumentationDueAt!.Value.AddSeconds(1), TimeSpan.Zero));
        string connectionString;
        await using (var scope = App.Services.CreateAsyncScope())
            connectionString = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().Database.GetConnectionString()!;

        await using (var other = new Npgsql.NpgsqlConnection(connectionString))
        {
            await other.OpenAsync(Ct);
            await using var transaction = await other.BeginTransactionAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_xact_lock({DeadlineNotifications.AdvisoryLockKey})", other, transaction);
            await command.ExecuteNonQueryAsync(Ct);
            (await Deadlines.RunOnceAsync(Ct)).ShouldBeNull("another instance holds the lock");
            (await QueuedAsync(change.Number)).Select(q => q.Type).ShouldNotContain(WorkflowNotification.DocumentationOverdue);
        }
        (await Deadlines.RunOnceAsync(Ct)).ShouldNotBeNull().ShouldBeGreaterThan(0);
        (await QueuedAsync(change.Number)).Count(q => q.Type == WorkflowNotification.DocumentationOverdue).ShouldBe(1);
    }

    [Fact]
    public async Task An_approved_exception_is_announced_and_again_a_week_before_it_expires()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var expiresAt = Now.AddDays(20);
        var exception = await requestor.Client.PostJsonAsync<PolicyExceptionResponse>("/api/v1/exceptions",
            new PolicyExceptionRequest("Freeze waiver", "freeze-window", "d", "r", "c", expiresAt));
        foreach (var role in new[] { Role.HeadOfEngineering, Role.SecurityOfficer })
            await (await S.PersonAsync(role)).Client.PostJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}/approvals",
                new DecisionRequest(ApprovalDecision.Approve, null));
        (await QueuedAsync(exception.Number)).Select(q => q.Type)
            .ShouldBe([WorkflowNotification.ApprovalRequested, WorkflowNotification.ExceptionApproved]);

        App.Time.SetUtcNow(new DateTimeOffset(expiresAt.AddDays(-7).AddSeconds(-1), TimeSpan.Zero));
        await Deadlines.RunOnceAsync(Ct);
        (await QueuedAsync(exception.Number)).Count.ShouldBe(2);
        App.Time.SetUtcNow(new DateTimeOffset(expiresAt.AddDays(-7), TimeSpan.Zero));
        await Deadlines.RunOnceAsync(Ct);
        await Deadlines.RunOnceAsync(Ct);
        (await QueuedAsync(exception.Number)).Select(q => q.Type).Count(t => t == WorkflowNotification.ExceptionExpiring).ShouldBe(1);
    }

    [Fact]
    public async Task A_published_template_is_announced_to_its_author_once_30_days_before_its_approval_expires()
    {
        var author = await S.PersonAsync(Role.Requestor);
        var template = await author.Client.PostJsonAsync<TemplateResponse>("/api/v1/templates", new TemplateRequest($"expiring-{Scenario.Unique()}",
            "Patch the base image", null, [await S.ServiceAsync()], ["production"], "p", "s", "i", "r", "t", Scenario.LowRiskAnswers));
        await author.Client.PostJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}/submit", new { });
        var published = await (await S.PersonAsync(Role.ChangeApprover)).Client.PostJsonAsync<TemplateResponse>(
            $"/api/v1/templates/{template.Name}/approvals", new DecisionRequest(ApprovalDecision.Approve, null));
        (await QueuedAsync(template.Name)).Select(q => q.Type).ShouldBe([WorkflowNotification.ApprovalRequested, WorkflowNotification.TemplatePublished]);
        var expiresAt = published.ExpiresAt!.Value;

        App.Time.SetUtcNow(new DateTimeOffset(expiresAt - DeadlineNotifications.TemplateWarning - TimeSpan.FromSeconds(1), TimeSpan.Zero));
        await Deadlines.RunOnceAsync(Ct);
        (await QueuedAsync(template.Name)).Count.ShouldBe(2, "not yet within 30 days");
        App.Time.SetUtcNow(new DateTimeOffset(expiresAt - DeadlineNotifications.TemplateWarning, TimeSpan.Zero));
        await Deadlines.RunOnceAsync(Ct);
        await Deadlines.RunOnceAsync(Ct);
        var expiring = (await QueuedAsync(template.Name)).Where(q => q.Type == WorkflowNotification.TemplateExpiring).ShouldHaveSingleItem();
        expiring.Body.GetProperty("dueAt").GetDateTime().ShouldBe(expiresAt, TimeSpan.FromMilliseconds(1));
        expiring.Body.GetProperty("text").GetString()!.ShouldContain("submit it for re-approval");
    }

    [Fact]
    public async Task A_template_handed_over_is_announced_to_its_new_author()
    {
        var author = await S.PersonAsync(Role.Requestor);
        var successor = await S.PersonAsync(Role.Requestor);
        var template = await author.Client.PostJsonAsync<TemplateResponse>("/api/v1/templates", new TemplateRequest($"handed-{Scenario.Unique()}",
            "Rotate the TLS certificates", null, [await S.ServiceAsync()], ["production"], "p", "s", "i", "r", "t", Scenario.LowRiskAnswers));

        await S.Admin.PostJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}/hand-over", new HandOverTemplateRequest(successor.Email));

        var handedOver = (await QueuedAsync(template.Name)).ShouldHaveSingleItem();
        handedOver.Type.ShouldBe(WorkflowNotification.TemplateHandedOver);
        handedOver.Body.GetProperty("text").GetString()!.ShouldBe(
            $"Standard template {template.Name} \"Rotate the TLS certificates\" is handed to you: as its author, you revise it and submit it for approval.");
        NotificationAudience.For(WorkflowNotification.TemplateHandedOver, await TemplateAsync(template.Id)).People.ShouldBe([successor.Id]);
    }

    private async Task<Domain.Templates.ChangeTemplate> TemplateAsync(Guid id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().ChangeTemplates.AsNoTracking().SingleAsync(t => t.Id == id, Ct);
    }

    [Fact]
    public async Task The_policy_review_is_announced_30_and_7_days_before_it_is_due_and_once_overdue()
    {
        var version = await S.Admin.PostJsonAsync<PolicyVersionResponse>("/api/v1/policy/versions", new ProposePolicyVersionRequest("# Policy", "v"));
        foreach (var role in new[] { Role.HeadOfEngineering, Role.SecurityOfficer })
            await (await S.PersonAsync(role)).Client.PostJsonAsync<PolicyVersionResponse>($"/api/v1/policy/versions/{version.Number}/approvals",
                new DecisionRequest(ApprovalDecision.Approve, null));
        (await QueuedAsync(version.Number)).Select(q => q.Type)
            .ShouldBe([WorkflowNotification.ApprovalRequested, WorkflowNotification.PolicyVersionInForce]);
        var due = (await S.Admin.GetJsonAsync<PolicyResponse>("/api/v1/policy")).NextReviewDue!.Value;

        foreach (var at in new[] { due.AddDays(-31), due.AddDays(-30), due.AddDays(-29), due.AddDays(-7), due.AddSeconds(1), due.AddDays(2) })
        {
            App.Time.SetUtcNow(new DateTimeOffset(at, TimeSpan.Zero));
            await Deadlines.RunOnceAsync(Ct);
        }

        (await QueuedAsync(version.Number)).Select(q => q.Type).Skip(2)
            .ShouldBe([WorkflowNotification.PolicyReviewDue, WorkflowNotification.PolicyReviewDue, WorkflowNotification.PolicyReviewOverdue]);
    }
}

/// <summary>
/// Delivery to a real receiver, which checks each request's signature and its timestamp against the real time: a class of
/// its own, whose clock stays with the real one (the other class moves its clock by days).
/// </summary>
public abstract class WorkflowNotificationDeliveryTests(WebhookApp app) : ProviderTests(app)
{
    private new WebhookApp App { get; } = app;

    [Fact]
    public async Task A_submission_asks_for_approval_and_the_decision_is_announced_signed_to_every_webhook()
    {
        App.CatchUpWithRealTime();
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var queued = (await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookUrl == App.FirstUrl && d.Payload.Contains(change.Number))
            .ToListAsync(Ct)).OrderBy(d => d.Id).ToList();
        queued.Select(q => q.EventType).ShouldBe([WorkflowNotification.ApprovalRequested, WorkflowNotification.ChangeApproved]);
        var asked = JsonDocument.Parse(queued[0].Payload).RootElement;
        asked.GetProperty("type").GetString().ShouldBe(WorkflowNotification.ApprovalRequested);
        asked.GetProperty("text").GetString()!.ShouldContain($"{change.Number} \"{change.Title}\" awaits approval: it needs a Change Approver");
        asked.GetProperty("subject").GetProperty("path").GetString().ShouldBe($"/changes/{change.Number}");

        await App.Services.GetRequiredService<WebhookSender>().RunOnceAsync(Ct);
        var ids = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Payload.Contains(change.Number)).Select(d => d.Id).ToListAsync(Ct);
        ids.Count.ShouldBe(4, "two notifications, each to both webhooks");
        foreach (var id in ids)
            App.Receiver.For(id).ShouldHaveSingleItem().Rejection.ShouldBeNull("the receiver verified the signature");
    }
}

public sealed class WorkflowNotificationDeliveryTests_Sqlite(SqliteWebhookApp app) : WorkflowNotificationDeliveryTests(app), IClassFixture<SqliteWebhookApp>;

public sealed class WorkflowNotificationDeliveryTests_Postgres(PostgresWebhookApp app) : WorkflowNotificationDeliveryTests(app),
    IClassFixture<PostgresWebhookApp>;

public sealed class WorkflowNotificationTests_Sqlite(SqliteWebhookApp app) : WorkflowNotificationTests(app), IClassFixture<SqliteWebhookApp>;

public sealed class WorkflowNotificationTests_Postgres(PostgresWebhookApp app) : WorkflowNotificationTests(app), IClassFixture<PostgresWebhookApp>;
