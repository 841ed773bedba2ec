using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Shouldly;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Workflow notifications by email: queued per person in the step's own save, sent by the email sender to a real SMTP
/// server on loopback (the SmtpServer package), which parses each message with MimeKit as a mail client would.
/// </summary>
public abstract class EmailNotificationTests(EmailApp app) : ProviderTests(app)
{
    private new EmailApp App { get; } = app;

    private EmailSender Sender => App.Services.GetRequiredService<EmailSender>();

    private static async Task<List<EmailDelivery>> QueuedForAsync(EmailApp app, string address)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().EmailDeliveries.AsNoTracking()
            .Where(d => d.To == address).OrderBy(d => d.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task Submitting_a_change_emails_its_approvers_but_not_its_requestor()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var bystander = await S.PersonAsync(Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        var change = await requestor.ActAsync(draft.Number, "submit");

        (await QueuedForAsync(App, approver.Email)).ShouldHaveSingleItem().Attempts.ShouldBe(0, "queued, not yet sent");
        (await Sender.RunOnceAsync(Ct)).Failed.ShouldBe(0);

        var message = App.Smtp.To(approver.Email).ShouldHaveSingleItem();
        message.From.Mailboxes.ShouldHaveSingleItem().Address.ShouldBe(EmailApp.FromAddress);
        message.To.Mailboxes.ShouldHaveSingleItem().Address.ShouldBe(approver.Email);
        message.Subject.ShouldBe($"[ChangeTrail] {change.Number} \"{change.Title}\" awaits approval: it needs a Change Approver.");
        message.Headers["X-ChangeTrail-Event"].ShouldBe(WorkflowNotification.ApprovalRequested);
        var body = message.TextBody!;
        body.ShouldContain($"Change {change.Number}: {change.Title}");
        body.ShouldContain($"Link: /changes/{change.Number}");
        App.Smtp.To(requestor.Email).ShouldBeEmpty("the requestor cannot approve their own change");
        App.Smtp.To(bystander.Email).ShouldBeEmpty("an implementer has no approval to give");

        var delivered = (await QueuedForAsync(App, approver.Email)).ShouldHaveSingleItem();
        delivered.DeliveredAt.ShouldNotBeNull();
        delivered.Attempts.ShouldBe(1);
        (await Sender.RunOnceAsync(Ct)).Delivered.ShouldBe(0);
        App.Smtp.To(approver.Email).Count.ShouldBe(1, "a delivered email is not sent again");

        // The decision goes back to the requestor.
        await approver.ApproveAsync(change.Number);
        await Sender.RunOnceAsync(Ct);
        App.Smtp.To(requestor.Email).ShouldHaveSingleItem().Subject.ShouldBe($"[ChangeTrail] {change.Number} \"{change.Title}\" is approved.");
    }

    [Fact]
    public async Task A_person_who_turned_an_event_off_gets_no_email_for_it_and_the_choice_round_trips()
    {
        var optedOut = await S.PersonAsync(Role.ChangeApprover);
        var preferences = await optedOut.Client.GetJsonAsync<Contracts.NotificationPreferencesResponse>("/api/v1/users/me/notifications");
        preferences.Events.Select(e => e.Type).ShouldBe(WorkflowNotification.All);
        preferences.Events.ShouldAllBe(e => e.Email, "email is on by default");

        var set = await optedOut.Client.SendRawAsync(HttpMethod.Put, "/api/v1/users/me/notifications",
            """{"email": {"approval.requested": false, "change.approved": true}}""");
        set.EnsureSuccessStatusCode();
        var after = await optedOut.Client.GetJsonAsync<Contracts.NotificationPreferencesResponse>("/api/v1/users/me/notifications");
        after.Events.Single(e => e.Type == WorkflowNotification.ApprovalRequested).Email.ShouldBeFalse();
        after.Events.Where(e => e.Type != WorkflowNotification.ApprovalRequested).ShouldAllBe(e => e.Email);

        var refused = await optedOut.Client.SendRawAsync(HttpMethod.Put, "/api/v1/users/me/notifications", """{"email": {"foo": false}}""")
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        refused.Errors!.Keys.ShouldBe(["email.foo"]);

        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await Sender.RunOnceAsync(Ct);
        App.Smtp.To(approver.Email).ShouldHaveSingleItem().Subject!.ShouldContain(change.Number);
        App.Smtp.To(optedOut.Email).ShouldBeEmpty();
        (await QueuedForAsync(App, optedOut.Email)).ShouldBeEmpty("nothing is queued for someone who turned the event off");
    }

    [Fact]
    public async Task An_email_the_server_could_not_take_is_kept_and_sent_once_it_is_back_and_the_backoff_has_passed()
    {
        await Sender.RunOnceAsync(Ct); // whatever earlier tests left due
        await App.Smtp.StopAsync();
        try
        {
            var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
            var round = await Sender.RunOnceAsync(Ct);
            round.Failed.ShouldBe(1, "the first failure ends the round");
            var all = await AllQueuedAsync(change.Number);
            all.ShouldNotBeEmpty();
            all.ShouldAllBe(d => d.DeliveredAt == null);
            var failed = all.Single(d => d.Attempts == 1);
            failed.LastError.ShouldNotBeNullOrWhiteSpace();
            failed.NextAttemptAt!.Value.ShouldBe(App.Time.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));

            await App.Smtp.StartAsync();
            App.Time.Advance(TimeSpan.FromSeconds(29));
            await Sender.RunOnceAsync(Ct);
            // Every Change Approver of the class's earlier tests is emailed too: only this change's messages count.
            bool OfThisChange(MimeMessage m) => m.Subject!.Contains($"{change.Number} \"", StringComparison.Ordinal);
            App.Smtp.To(failed.To).Where(OfThisChange).ShouldBeEmpty("not before the backoff");
            App.Time.Advance(TimeSpan.FromSeconds(1));
            await Sender.RunOnceAsync(Ct);
            App.Smtp.To(failed.To).Where(OfThisChange).ShouldHaveSingleItem();
            App.Smtp.To(approver.Email).Where(OfThisChange).ShouldHaveSingleItem();
            var sent = await AllQueuedAsync(change.Number);
            sent.ShouldAllBe(d => d.DeliveredAt != null);
            sent.Single(d => d.Id == failed.Id).Attempts.ShouldBe(2);
        }
        finally
        {
            await App.Smtp.StartAsync();
        }
    }

    [Fact]
    public async Task An_email_queued_before_a_restart_is_sent_by_the_restarted_server()
    {
        await using var first = App.Provider == TestProvider.Postgres ? new EmailApp(TestProvider.Postgres) : new EmailApp(TestProvider.Sqlite);
        await first.InitializeAsync();
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(new Scenario(first));
        (await QueuedForAsync(first, approver.Email)).ShouldHaveSingleItem().DeliveredAt.ShouldBeNull();
        // The first server stops without having sent it: nothing of it is left but the row.
        first.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await using var restarted = new EmailApp(first);
        await restarted.InitializeAsync();
        (await restarted.Services.GetRequiredService<EmailSender>().RunOnceAsync(Ct)).Delivered.ShouldBeGreaterThan(0);
        first.Smtp.To(approver.Email).ShouldHaveSingleItem().Subject!.ShouldContain(change.Number);
    }

    [Fact]
    public async Task A_recipient_the_server_refuses_for_good_is_given_up_at_once_and_the_round_goes_on()
    {
        await Sender.RunOnceAsync(Ct); // whatever earlier tests left due
        var unknown = await S.PersonAsync(Role.ChangeApprover);
        App.Smtp.Refuse(unknown.Email);
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);

        var round = await Sender.RunOnceAsync(Ct);
        round.GivenUp.ShouldBe(1);
        round.Failed.ShouldBe(0, "a refused recipient is not the server's trouble");
        App.Smtp.To(approver.Email).ShouldHaveSingleItem().Subject!.ShouldContain(change.Number);
        App.Smtp.To(unknown.Email).ShouldBeEmpty();
        var refused = (await QueuedForAsync(App, unknown.Email)).ShouldHaveSingleItem();
        refused.DeliveredAt.ShouldBeNull();
        refused.NextAttemptAt.ShouldBeNull("RFC 5321: a 5xx reply is not to be repeated");
        refused.Attempts.ShouldBe(1);
        refused.LastError!.ShouldStartWith("Gave up: the mail server refused the recipient for good. 550 ");

        App.Time.Advance(TimeSpan.FromDays(1));
        await Sender.RunOnceAsync(Ct);
        (await QueuedForAsync(App, unknown.Email)).ShouldHaveSingleItem().Attempts.ShouldBe(1, "never tried again");

        // The class's other tests count what their changes' approvers receive: this one gets no more.
        (await S.Admin.PostAsync($"/api/v1/users/{unknown.Id}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task An_email_to_a_person_deactivated_after_it_was_queued_is_not_sent()
    {
        await Sender.RunOnceAsync(Ct); // whatever earlier tests left due
        var leaver = await S.PersonAsync(Role.ChangeApprover);
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        (await QueuedForAsync(App, leaver.Email)).ShouldHaveSingleItem().DeliveredAt.ShouldBeNull();
        (await S.Admin.PostAsync($"/api/v1/users/{leaver.Id}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var round = await Sender.RunOnceAsync(Ct);
        round.Failed.ShouldBe(0);
        round.GivenUp.ShouldBe(1);
        App.Smtp.To(leaver.Email).ShouldBeEmpty();
        App.Smtp.To(approver.Email).ShouldHaveSingleItem().Subject!.ShouldContain(change.Number);
        var withdrawn = (await QueuedForAsync(App, leaver.Email)).ShouldHaveSingleItem();
        withdrawn.DeliveredAt.ShouldBeNull();
        withdrawn.NextAttemptAt.ShouldBeNull();
        withdrawn.Attempts.ShouldBe(0, "nothing was sent");
        withdrawn.LastError.ShouldBe(EmailSender.NotSentToDeactivated);
    }

    [Fact]
    public async Task A_freeze_defined_over_a_submitted_change_emails_its_requestor_and_implementer_and_nobody_about_a_draft()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var implementer = await S.PersonAsync(Role.Implementer);
        var service = await S.ServiceAsync();
        var submitted = await requestor.ActAsync(
            (await requestor.CreateAsync(S.CompleteChange(service, implementer: implementer.Email))).Number, "submit");
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        var elsewhere = await requestor.ActAsync((await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()))).Number, "submit");
        await Sender.RunOnceAsync(Ct);

        await S.Admin.PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows", new CreateFreezeWindowRequest("Incident freeze",
            submitted.PlannedStart!.Value.AddHours(-1), submitted.PlannedEnd!.Value, [service], null));
        await Sender.RunOnceAsync(Ct);

        foreach (var person in new[] { requestor, implementer })
        {
            var message = App.Smtp.To(person.Email).Where(m => m.Headers["X-ChangeTrail-Event"] == WorkflowNotification.FreezeCoversChange)
                .ShouldHaveSingleItem();
            message.Subject!.ShouldStartWith($"[ChangeTrail] {submitted.Number} \"{submitted.Title}\" is planned in the freeze 'Incident freeze'");
            message.TextBody!.ShouldContain("cite an approved exception to the freeze-window control");
        }
        (await AllQueuedAsync(draft.Number)).ShouldBeEmpty("its submission will be refused, naming the freeze");
        (await AllQueuedAsync(elsewhere.Number)).ShouldNotContain(d => d.EventType == WorkflowNotification.FreezeCoversChange);
    }

    [Fact]
    public async Task A_step_that_fails_queues_no_email()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await requestor.TryAsync(change.Number, "submit").ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        (await QueuedForAsync(App, approver.Email)).Count.ShouldBe(1, "only the submission that happened");
    }

    private async Task<List<EmailDelivery>> AllQueuedAsync(string number)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().EmailDeliveries.AsNoTracking().ToListAsync(Ct);
        return rows.Where(d => d.Subject.Contains($"{number} ", StringComparison.Ordinal)).ToList();
    }
}

public sealed class EmailNotificationTests_Sqlite(SqliteEmailApp app) : EmailNotificationTests(app), IClassFixture<SqliteEmailApp>;

public sealed class EmailNotificationTests_Postgres(PostgresEmailApp app) : EmailNotificationTests(app), IClassFixture<PostgresEmailApp>;

public sealed class SqliteEmailApp() : EmailApp(TestProvider.Sqlite);

public sealed class PostgresEmailApp() : EmailApp(TestProvider.Postgres);

/// <summary>A server that emails its notifications to an SMTP server of its own on loopback, with no TLS.</summary>
public class EmailApp : ChangeTrailApp
{
    public const string FromAddress = "changetrail@example.test";

    private readonly bool _ownsSmtp;

    public EmailApp(TestProvider provider) : base(provider)
    {
        Smtp = new SmtpReceiver();
        _ownsSmtp = true;
    }

    /// <summary><paramref name="previous"/> restarted: the same database, and the same SMTP server, which the first app stops.</summary>
    public EmailApp(EmailApp previous) : base(previous) => Smtp = previous.Smtp;

    public SmtpReceiver Smtp { get; }

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("ChangeTrail:Notifications:Email:Host", "127.0.0.1");
        builder.UseSetting("ChangeTrail:Notifications:Email:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("ChangeTrail:Notifications:Email:From", $"ChangeTrail <{FromAddress}>");
        builder.UseSetting("ChangeTrail:Notifications:Email:Security", "None");
        builder.UseSetting("ChangeTrail:Notifications:EmailPollInterval", "00:00:00");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsSmtp)
            await Smtp.StopAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A real SMTP server (the SmtpServer package) on 127.0.0.1 and a free port, keeping every message it accepts, parsed.</summary>
public sealed class SmtpReceiver
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource? _running;
    private Task? _serving;

    public SmtpReceiver()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        StartAsync().GetAwaiter().GetResult();
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Received => [.. _messages];

    /// <summary>The messages to <paramref name="address"/>, in the order received.</summary>
    public List<MimeMessage> To(string address) =>
        _messages.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>From now on <paramref name="address"/> is refused at RCPT TO with 550, as a mailbox that does not exist.</summary>
    public void Refuse(string address) => _refused[address] = true;

    public async Task StartAsync()
    {
        if (_serving is not null)
            return;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_messages));
        services.Add(new Recipients(_refused));
        var server = new SmtpServer.SmtpServer(options, services);
        _running = new CancellationTokenSource();
        _serving = server.StartAsync(_running.Token);
        // Listening once a connection is accepted.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
        throw new InvalidOperationException($"The SMTP server did not start on port {Port}.");
    }

    public async Task StopAsync()
    {
        if (_serving is null)
            return;
        await _running!.CancelAsync();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _running.Dispose();
        _running = null;
        _serving = null;
    }

    private sealed class Recipients(ConcurrentDictionary<string, bool> refused) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!refused.ContainsKey(to.AsAddress()));
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>SMTP settings that could never send an email stop the server, naming the setting.</summary>
public sealed class EmailConfigurationTests
{
    [Theory]
    [InlineData(null, "Auto", "ChangeTrail:Notifications:Email:From is not set")]
    [InlineData("not an address", "Auto", "ChangeTrail:Notifications:Email:From 'not an address' is not an email address")]
    [InlineData("changetrail@example.test", "Tls", "ChangeTrail:Notifications:Email:Security 'Tls' is not one of")]
    public async Task Bad_email_settings_refuse_the_start_naming_the_setting(string? from, string security, string message)
    {
        await using var app = new BadEmailApp(from, security);
        var refused = await Should.ThrowAsync<InvalidOperationException>(async () => await app.InitializeAsync());
        refused.Message.ShouldStartWith(message);
    }

    private sealed class BadEmailApp(string? from, string security) : ChangeTrailApp(TestProvider.Sqlite)
    {
        protected override void ConfigureTestServices(IWebHostBuilder builder)
        {
            builder.UseSetting("ChangeTrail:Notifications:Email:Host", "127.0.0.1");
            builder.UseSetting("ChangeTrail:Notifications:Email:Security", security);
            if (from is not null)
                builder.UseSetting("ChangeTrail:Notifications:Email:From", from);
        }
    }
}
