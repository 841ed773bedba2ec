using System.Security.Cryptography;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Features.ServiceAccounts;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Demo;

public sealed record DemoNeedsEmptyDatabase(int Users)
    : DomainError(ErrorKind.Conflict, "demo-needs-empty-database", "The database is not empty",
        $"Demo data goes only into an empty database, and this one already has {Users} user(s). Start without --demo, " +
        "or point ChangeTrail__DataDirectory at an empty folder.");

/// <summary>A person of the sample organisation; every one signs in with <see cref="DemoData.Password"/>.</summary>
public sealed record DemoPerson(string Email, string DisplayName, IReadOnlyList<Role> Roles);

public sealed record DemoSummary(IReadOnlyList<DemoPerson> People, IReadOnlyList<string> ServiceAccounts, IReadOnlyList<string> Services, int Changes);

/// <summary>
/// <c>--demo</c> (or <c>ChangeTrail:Demo=true</c>): fills an empty database with a sample organisation and about ten
/// weeks of change requests in every state, then the server carries on serving. Everything goes through the real use
/// cases (setup, users, services, create, and each transition through <see cref="ChangeCommand"/>), so the data obeys
/// every rule; only the clock is moved by hand, through the past, so the changes have a history.
/// </summary>
public static partial class DemoData
{
    public const string Switch = "--demo";
    public const string ConfigurationKey = "ChangeTrail:Demo";

    /// <summary>Every demo person's password. Demo data is for trying the product, never for a real installation.</summary>
    public const string Password = "demo-password-123";

    public const string PipelineName = "deploy-pipeline";

    public static readonly DemoPerson Admin = new("admin@example.com", "Ada Okonkwo", [Role.Admin]);

    public static readonly IReadOnlyList<DemoPerson> People =
    [
        Admin,
        new("priya@example.com", "Priya Natarajan", [Role.Requestor, Role.Implementer]),
        new("marco@example.com", "Marco Rossi", [Role.Requestor, Role.Implementer]),
        new("alan@example.com", "Alan Brooks", [Role.ChangeApprover]),
        new("chen@example.com", "Chen Wei", [Role.ChangeApprover]),
        new("sam@example.com", "Sam Okafor", [Role.SecurityReviewer]),
        new("dana@example.com", "Dana Kim", [Role.CabMember]),
        new("audrey@example.com", "Audrey Martin", [Role.Auditor]),
        new("hugo@example.com", "Hugo Lindqvist", [Role.HeadOfEngineering]),
        new("sofia@example.com", "Sofia Alvarez", [Role.SecurityOfficer]),
    ];

    /// <summary>
    /// Removes <c>--demo</c> from the arguments: the command-line configuration would otherwise read the next
    /// argument (say <c>--urls</c>) as its value.
    /// </summary>
    public static bool TakeSwitch(ref string[] args)
    {
        if (!args.Contains(Switch, StringComparer.Ordinal))
            return false;
        args = args.Where(a => a != Switch).ToArray();
        return true;
    }

    /// <summary>
    /// Seeds when asked to. Returns false, with the process exit code set to 1, when the seeding was refused:
    /// the server must then stop rather than serve a database the operator did not expect.
    /// </summary>
    public static async Task<bool> SeedIfRequestedAsync(WebApplication app, bool switchGiven)
    {
        if (!switchGiven && !app.Configuration.GetValue<bool>(ConfigurationKey))
            return true;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoData).FullName!);
        LogSeeding(logger);
        var seeded = await SeedAsync(app.Services, app.Lifetime.ApplicationStopping);
        if (!seeded.IsSuccess)
        {
            LogRefused(logger, seeded.Error!.Detail);
            Environment.ExitCode = 1;
            return false;
        }

        var summary = seeded.Value!;
        var people = string.Concat(summary.People.Select(p =>
            $"{Environment.NewLine}  {p.Email,-22} {p.DisplayName,-18} {string.Join(", ", p.Roles)}"));
        var services = string.Join(", ", summary.Services);
        var serviceAccounts = string.Join(", ", summary.ServiceAccounts);
        LogSeeded(logger, summary.Changes, services, serviceAccounts, Password, people);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls.Select(u => u.TrimEnd('/')))
                LogSignIn(logger, url, Admin.Email, Password);
        });
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: loading a sample organisation and ten weeks of changes, if the database is empty.")]
    private static partial void LogSeeding(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo mode refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data loaded: {Changes} change requests, services {Services}, " +
        "service account {ServiceAccounts}, and these people, who all sign in with the password {Password}:{People}")]
    private static partial void LogSeeded(ILogger logger, int changes, string services, string serviceAccounts, string password, string people);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: sign in at {Url}/login as {Email}, or as anyone listed above, with the password {Password}.")]
    private static partial void LogSignIn(ILogger logger, string url, string email, string password);

    public static async Task<Result<DemoSummary>> SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var db = provider.GetRequiredService<ChangeTrailDbContext>();
        var existing = await db.Users.CountAsync(cancellationToken);
        if (existing > 0)
            return new DemoNeedsEmptyDatabase(existing);

        var seeder = new Seeder(db, provider.GetRequiredService<UserManager<AppUser>>(), provider.GetRequiredService<RiskQuestionnaire>(),
            Clock.Truncate(provider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime), cancellationToken);
        var setupCode = await SetupCodeAsync(provider, cancellationToken);
        return await seeder.RunAsync(provider.GetRequiredService<SetupCode>(), setupCode);
    }

    /// <summary>The one-time setup code as setup itself will check it: configured, or generated into the data folder.</summary>
    private static async Task<string> SetupCodeAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        var configured = provider.GetRequiredService<IOptions<ChangeTrailOptions>>().Value.SetupCode;
        if (!string.IsNullOrWhiteSpace(configured))
            return configured.Trim();
        var setupCode = provider.GetRequiredService<SetupCode>();
        setupCode.Announce();
        return (await File.ReadAllTextAsync(setupCode.FilePath, cancellationToken)).Trim();
    }

    private enum Risk
    {
        Low,
        Medium,
        High,
    }

    /// <summary>What a sample change is about.</summary>
    private sealed record Plan(string Title, string Service, string Purpose, Risk Risk = Risk.Low);

    /// <summary>A sample change as it is being driven: its number, and the instant of its latest step.</summary>
    private sealed class Cr(string number, DateTime at)
    {
        public string Number { get; } = number;

        public DateTime At { get; set; } = at;
    }

    private sealed class Seeder(ChangeTrailDbContext db, UserManager<AppUser> users, RiskQuestionnaire questionnaire, DateTime now,
        CancellationToken cancellationToken)
    {
        private static readonly string[] Services = ["payments", "identity", "storefront", "search", "notifications"];

        /// <summary>What the Admin gives each demo person; they replace it with <see cref="Password"/>, as real people do.</summary>
        private const string TemporaryPassword = "demo-temporary-password";

        /// <summary>Invitation links would start here; the demo people get passwords, so none is made.</summary>
        private const string SiteBase = "http://127.0.0.1:5080";

        private readonly DemoTime _time = new(now);
        private readonly Dictionary<string, Actor> _actors = [];
        private Clock Clock => new(_time);
        private int _changes;
        private int _pullRequests = 1400;

        private Actor Priya => _actors["priya"];
        private Actor Marco => _actors["marco"];
        private Actor Alan => _actors["alan"];
        private Actor Chen => _actors["chen"];
        private Actor Sam => _actors["sam"];
        private Actor Dana => _actors["dana"];
        private Actor Sofia => _actors["sofia"];
        private Actor Hugo => _actors["hugo"];
        private Actor Pipeline => _actors[PipelineName];

        public async Task<Result<DemoSummary>> RunAsync(SetupCode setupCode, string code)
        {
            // The organisation is set up a day before its first change, eleven weeks ago.
            Set(now.AddDays(-71));
            var setup = await RunSetup.ExecuteAsync(new SetupRequest(Admin.Email, Admin.DisplayName, Password, code), db, users, setupCode,
                Clock, new ApiTokenOptions(), cancellationToken);
            if (!setup.IsSuccess)
                return setup.Error!;
            var adminId = setup.Value!.UserId;
            db.ChangeTracker.Clear();

            foreach (var person in People.Skip(1))
            {
                var id = Check(await CreateUser.ExecuteAsync(new CreateUserRequest(person.Email, person.DisplayName, person.Roles, TemporaryPassword),
                    adminId, SiteBase, db, users, Clock, cancellationToken)).Id;
                // The Admin's password is temporary; each demo person "chooses" the published demo password as their own.
                var created = await users.FindByIdAsync(id.ToString());
                Check(await PasswordSignIn.ChooseOwnPasswordAsync(users, db, created!, Password, "password-changed", Clock.UtcNow, cancellationToken));
                _actors[person.Email.Split('@')[0]] = new Actor(id, person.Email, false, person.Roles.ToHashSet());
            }
            var pipeline = Check(await CreateServiceAccount.ExecuteAsync(new CreateServiceAccountRequest(PipelineName, [Role.Implementer]),
                adminId, db, users, Clock, cancellationToken)).Id;
            _actors[PipelineName] = new Actor(pipeline, "", true, new HashSet<Role> { Role.Implementer });

            foreach (var service in Services)
            {
                Check(await CreateService.ExecuteAsync(new CreateServiceRequest(service, $"https://git.example.com/shop/{service}",
                    RegulatedData: service == "payments", SecurityControl: service == "identity",
                    [new EnvironmentDto("staging", false), new EnvironmentDto("production", true)]), adminId, db, Clock, cancellationToken));
            }
            db.ChangeTracker.Clear();

            var holidayFreeze = await GovernanceAsync(new Actor(adminId, Admin.Email, false, new HashSet<Role> { Role.Admin }));
            await HistoryAsync();
            await InFlightAsync();
            await FreezeExceptionAsync(holidayFreeze);
            return new DemoSummary(People, [PipelineName], Services, _changes);
        }

        /// <summary>
        /// Before the first change: the policy put in force by its two owners, a Standard change template approved into the
        /// catalog, and the holiday freeze planned (two weeks from now, clear of every demo change). Returns the freeze.
        /// </summary>
        private async Task<FreezeWindowResponse> GovernanceAsync(Actor admin)
        {
            var start = DaysAgo(70);
            var policy = await RecordAsync(start, () => ProposePolicyVersion.ExecuteAsync(
                new ProposePolicyVersionRequest(DemoPolicy.Text, DemoPolicy.Summary), admin, db, Notifier.None, Clock.UtcNow, cancellationToken));
            await RecordAsync(start.AddHours(2), () => DecidePolicyVersion.ExecuteAsync(policy.Number, ApprovalDecision.Approve,
                "Matches the policy the board approved in July.", Hugo, Command, db, cancellationToken));
            await RecordAsync(start.AddHours(3), () => DecidePolicyVersion.ExecuteAsync(policy.Number, ApprovalDecision.Approve,
                "Exceptions and the review cycle read right.", Sofia, Command, db, cancellationToken));

            var template = await RecordAsync(start.AddHours(4), () => CreateTemplate.ExecuteAsync(new TemplateRequest(
                "scale-out-stateless-service", "Scale out a stateless service",
                "Add instances to a stateless service behind its load balancer, for an expected peak.",
                ["storefront", "search"], ["staging", "production"],
                "Absorb an expected peak in traffic without degraded response times.",
                "The service's instance count only: no code, configuration or data changes.",
                "None expected: new instances join the load balancer once their health checks pass.",
                "Set the instance count back to what it was; instances drain before they stop.",
                "The pipeline's health checks on every new instance; error rate and latency watched for 15 minutes.", LowRiskAnswers()),
                Priya, db, Clock.UtcNow, questionnaire, cancellationToken));
            await RecordAsync(start.AddHours(5), () => TemplateSteps.SubmitAsync(template.Name, Priya, Command, db, Clock, questionnaire,
                cancellationToken));
            await RecordAsync(start.AddHours(8), () => TemplateSteps.DecideAsync(template.Name, ApprovalDecision.Approve,
                "Routine and reversible: right for the Standard catalog.", Alan, Command, db, Clock, questionnaire, cancellationToken));

            var holiday = now.Date.AddDays(15);
            return await RecordAsync(DaysAgo(69), () => CreateFreezeWindow.ExecuteAsync(
                new CreateFreezeWindowRequest("Holiday freeze", holiday, holiday.AddDays(10), [], null), admin, db, Notifier.None, Clock.UtcNow, cancellationToken));
        }

        /// <summary>These last two hours: an exception to the holiday freeze for a renewal that cannot wait, approved by both its owners.</summary>
        private async Task FreezeExceptionAsync(FreezeWindowResponse freeze)
        {
            var requested = await RecordAsync(now.AddMinutes(-120), () => RequestPolicyException.ExecuteAsync(new PolicyExceptionRequest(
                "Renew the acquirer's client certificate during the holiday freeze", "freeze-window",
                "The payments service's client certificate for the card acquirer expires on the freeze's fourth day; it cannot wait until the freeze is lifted.",
                "Low: the renewal is scripted, rehearsed in staging, and tried against the acquirer's sandbox first.",
                "Run by the platform on-call with a Security Officer watching; rolling back restores the current certificate, valid until it expires.",
                freeze.End), Marco, db, Notifier.None, Clock.UtcNow, cancellationToken));
            await RecordAsync(now.AddMinutes(-90), () => DecidePolicyException.ExecuteAsync(requested.Number, ApprovalDecision.Approve,
                "Agreed: an expired certificate stops every card payment.", Hugo, Command, db, Clock, cancellationToken));
            await RecordAsync(now.AddMinutes(-60), () => DecidePolicyException.ExecuteAsync(requested.Number, ApprovalDecision.Approve,
                "Agreed, with the Security Officer on the call.", Sofia, Command, db, Clock, cancellationToken));
        }

        /// <summary>One step of a record other than a change, at <paramref name="at"/>, through its use case.</summary>
        private async Task<T> RecordAsync<T>(DateTime at, Func<Task<Result<T>>> step)
        {
            Set(at);
            var result = Check(await step());
            db.ChangeTracker.Clear();
            return result;
        }

        // The demo's history happened to nobody: it announces nothing to the configured webhooks or by email.
        private RecordCommand Command => new(db, Clock, Notifier.None);

        /// <summary>Weeks 10 to 2: finished work, with the refusals and failures a real quarter has.</summary>
        private async Task HistoryAsync()
        {
            await NormalAsync(DaysAgo(68), Priya, new("Upgrade storefront to Node.js 22 LTS", "storefront",
                "Node.js 20 leaves active support; 22 LTS brings the security fixes we need."), ChangeState.Closed, [Alan]);
            await NormalAsync(DaysAgo(61), Marco, new("Add rate limiting to the sign-in endpoint", "identity",
                "Slow credential-stuffing attempts down before they reach the password check."), ChangeState.Closed, [Alan, Sam]);

            var tls = await CreateAsync(DaysAgo(58), Priya, Fields(new("Disable TLS 1.2 on the public API", "identity",
                "Accept only TLS 1.3 on api.example.com.", Risk.Medium), Priya, DaysAgo(58).Date.AddDays(3).AddHours(9)));
            await SubmitAsync(tls, Priya);
            await RejectAsync(tls, Sam, "Twelve partner integrations still negotiate TLS 1.2; announce a deprecation date first.");

            await NormalAsync(DaysAgo(55), Priya, new("Rotate database credentials for search", "search",
                "Quarterly credential rotation (policy: secrets older than 90 days)."), ChangeState.Closed, [Chen], implementer: Pipeline);

            var resize = await CreateAsync(DaysAgo(51), Marco, Fields(new("Resize notification workers to 4 vCPU", "notifications",
                "Queue latency peaks at 40 s during the morning send."), Marco, DaysAgo(51).Date.AddDays(2).AddHours(9)));
            await CancelAsync(resize, Marco, "Superseded by the autoscaling change planned for next month.");

            await NormalAsync(DaysAgo(47), Marco, new("Add fraud-score column to the payments ledger", "payments",
                "Store the fraud provider's score with each transaction for chargeback disputes.", Risk.High),
                ChangeState.Closed, [Alan, Dana, Sofia]);

            // An emergency: started at once, documented and approved within the 24 hours, reviewed by the CAB, closed.
            var cdn = DaysAgo(44);
            var hotfix = await CreateAsync(cdn, Marco, Fields(new("Hotfix: restore checkout after CDN certificate expiry", "storefront",
                "Checkout fails for every customer: the CDN's certificate expired at 06:00 UTC.", Risk.Medium), Marco, cdn,
                type: ChangeType.Emergency, justification: "Checkout is down for all customers; every minute loses orders."));
            await StepAsync(hotfix, Minutes(10), Marco, (c, at) => c.Start(Marco, at));
            await StepAsync(hotfix, Minutes(25), Marco, (c, at) => c.Complete(Marco, at));
            await ApproveAsync(hotfix, Chen, "Right call; certificate now has auto-renewal.", Hours(3));
            await StepAsync(hotfix, Hours(1), Marco, (c, at) => c.Verify(Marco, VerificationOutcome.Success, "Checkout conversion back to normal.", at));
            await StepAsync(hotfix, Days(1), Dana, (c, at) => c.Review(Dana, new PostImplementationReview(ReviewOutcome.Successful,
                "The certificate renewal job was disabled in March and nothing alerted on it.",
                ["Alert 14 days before any certificate expires", "Re-enable and monitor the renewal job"], "Right call to treat it as an emergency."), at));
            await StepAsync(hotfix, Hours(2), Marco, (c, at) => c.Close(Marco, questionnaire, at));

            await NormalAsync(DaysAgo(40), Priya, new("Raise notification retry limit to 5", "notifications",
                "Transient SMTP errors drop about 0.3% of receipts."), ChangeState.Closed, [Chen], implementer: Pipeline);
            await NormalAsync(DaysAgo(33), Marco, new("Enable CSP violation reports on the storefront", "storefront",
                "See which third-party scripts would break before enforcing a stricter policy."), ChangeState.Closed, [Alan]);
            await NormalAsync(DaysAgo(26), Priya, new("Upgrade identity provider SDK to 5.2", "identity",
                "5.2 fixes a token-replay issue (vendor advisory 2024-07)."), ChangeState.Closed, [Chen, Sam]);

            var reindex = await NormalAsync(DaysAgo(23), Marco, new("Rebuild product search index with the new analyzer", "search",
                "Better matching of plurals and compound words.", Risk.Medium), ChangeState.Approved, [Alan]);
            await CancelAsync(reindex, Marco, "The vendor's fix shipped in 8.14.2; a rebuild is no longer needed.");

            await NormalAsync(DaysAgo(19), Marco, new("Tune search autoscaling thresholds", "search",
                "Scale out at 60% CPU instead of 80% to absorb the lunch peak."), ChangeState.Closed, [Alan], implementer: Pipeline);
            await NormalAsync(DaysAgo(16), Priya, new("Move payment webhooks to a dedicated queue", "payments",
                "Webhook bursts from the acquirer delay card authorisations.", Risk.Medium), ChangeState.RolledBack, [Alan, Sam]);

            var legacy = await CreateAsync(DaysAgo(12), Priya, Fields(new("Remove the legacy search endpoint /v1/find", "search",
                "Two code paths to maintain; /v2/search replaced it a year ago."), Priya, DaysAgo(12).Date.AddDays(3).AddHours(9)));
            await SubmitAsync(legacy, Priya);
            await RejectAsync(legacy, Chen, "Two large customers still call /v1/find daily; give them a deprecation window.");
        }

        /// <summary>The last ten days: work in flight, which is what the dashboard is for. Created oldest first, as numbers are.</summary>
        private async Task InFlightAsync()
        {
            await NormalAsync(DaysAgo(9), Priya, new("Shorten administrator session lifetime to 8 hours", "identity",
                "Audit finding: admin sessions last 30 days."), ChangeState.Verified, [Chen, Sofia]);
            await NormalAsync(DaysAgo(9), Marco, new("Archive orders older than seven years", "payments",
                "Retention policy: order data is kept seven years.", Risk.Medium), ChangeState.Draft, [], incomplete: true);
            await NormalAsync(DaysAgo(8), Marco, new("Upgrade Elasticsearch to 8.15", "search",
                "8.13 is out of support next month.", Risk.High), ChangeState.Approved, [Alan, Dana],
                plannedStart: now.Date.AddDays(12).AddHours(20));
            await NormalAsync(DaysAgo(7), Priya, new("Roll out one-page checkout behind a feature flag", "storefront",
                "A/B test the one-page checkout with 10% of customers."), ChangeState.Implemented, [Chen], implementer: Pipeline);
            await NormalAsync(DaysAgo(6), Marco, new("Enable HTTP/3 on the storefront edge", "storefront",
                "Faster page loads on mobile networks.", Risk.Medium), ChangeState.Failed, [Alan]);
            await NormalAsync(DaysAgo(6), Priya, new("Move notification emails to the new SMTP relay", "notifications",
                "The old relay's contract ends this month."), ChangeState.Implementing, [Alan], plannedStart: Minute(now.AddHours(-1)));
            await NormalAsync(DaysAgo(5), Priya, new("Patch OpenSSL in the storefront base image", "storefront",
                "Picks up the fixes for this month's OpenSSL advisory."), ChangeState.Approved, [Chen], implementer: Pipeline,
                plannedStart: now.Date.AddDays(2).AddHours(9));
            await NormalAsync(DaysAgo(2), Priya, new("Rotate the card-vault encryption key", "payments",
                "Annual key rotation (PCI DSS 3.6.4)."), ChangeState.Submitted, [Alan]);
            // An emergency started 30 hours ago and still undocumented: overdue.
            var stuffing = await CreateAsync(HoursAgo(30), Priya, new ChangeFields(ChangeType.Emergency, "Hotfix: block credential-stuffing traffic at sign-in",
                "A botnet is trying leaked passwords against the sign-in endpoint.", null, null, null, null, null, null, null, ["identity"], null,
                null, null, null, null, "Thousands of account takeover attempts per minute; accounts are being compromised."));
            await StepAsync(stuffing, Minutes(5), Priya, (c, at) => c.Start(Priya, at));

            await NormalAsync(DaysAgo(1), Marco, new("Add an index on payments.transactions(created_at)", "payments",
                "Month-end reconciliation queries take 40 minutes.", Risk.Medium), ChangeState.Approved, [Alan, Sofia],
                plannedStart: now.Date.AddDays(5).AddHours(14));
            await NormalAsync(DaysAgo(1), Marco, new("Raise search cluster heap to 16 GB", "search",
                "Old-generation garbage collection pauses during re-indexing."), ChangeState.Submitted, []);

            await NormalAsync(HoursAgo(20), Priya, new("Enable WebAuthn for administrator sign-in", "identity",
                "Phishing-resistant second factor for administrators."), ChangeState.Submitted, []);

            // An emergency from this morning, documented, waiting for its retrospective approval.
            var timeout = HoursAgo(6);
            var hotfix = await CreateAsync(timeout, Marco, Fields(new("Hotfix: raise search query timeout after losing a node", "search",
                "Search fails for a third of queries since a data node died.", Risk.Medium), Marco, timeout,
                type: ChangeType.Emergency, justification: "Search errors for 30% of customers; the replacement node needs four hours to sync."));
            await StepAsync(hotfix, Minutes(10), Marco, (c, at) => c.Start(Marco, at));
            await StepAsync(hotfix, Minutes(30), Marco, (c, at) => c.Complete(Marco, at));

            await NormalAsync(HoursAgo(5), Marco, new("Move storefront sessions to the Redis cluster", "storefront",
                "Sessions survive a storefront deploy.", Risk.High), ChangeState.Submitted, []);
            await NormalAsync(HoursAgo(3), Priya, new("Upgrade the notification service to .NET 10", "notifications",
                "Out-of-support runtime next quarter."), ChangeState.Draft, []);
        }

        /// <summary>
        /// A normal change from creation along the happy path (or, for Failed and RolledBack, a failed verification)
        /// to <paramref name="target"/>, approved by <paramref name="approvers"/> in order.
        /// </summary>
        private async Task<Cr> NormalAsync(DateTime createdAt, Actor requestor, Plan plan, ChangeState target, Actor[] approvers,
            Actor? implementer = null, DateTime? plannedStart = null, bool incomplete = false)
        {
            var start = plannedStart ?? createdAt.Date.AddDays(2).AddHours(9);
            var fields = Fields(plan, requestor, start, implementer: implementer?.IsServiceAccount == true ? PipelineName : null);
            if (incomplete)
                fields = fields with { RollbackPlan = null, TestResults = null };
            var cr = await CreateAsync(createdAt, requestor, fields);
            var stage = Stage(target);
            var doer = implementer ?? requestor;
            if (stage >= 1)
                await SubmitAsync(cr, requestor);
            foreach (var approver in approvers)
                await ApproveAsync(cr, approver, "Plan and rollback look sound.", Hours(3));
            if (stage >= 3)
            {
                if (start > cr.At)
                    cr.At = start;
                await StepAsync(cr, TimeSpan.Zero, doer, (c, at) => c.Start(doer, at));
            }
            if (stage >= 4)
                await StepAsync(cr, Minutes(40), doer, (c, at) => c.Complete(doer, at));
            var fails = target is ChangeState.Failed or ChangeState.RolledBack;
            if (stage >= 5)
            {
                await StepAsync(cr, Hours(2), doer, (c, at) => fails
                    ? c.Verify(doer, VerificationOutcome.Failed, "Error rate rose to 4% on iOS clients within ten minutes.", at)
                    : c.Verify(doer, VerificationOutcome.Success, "Error rates and latency normal for 30 minutes; smoke tests passed.", at));
            }
            if (stage >= 6 && fails)
                await StepAsync(cr, Minutes(30), doer, (c, at) => c.RollBack(doer, "Previous release redeployed; error rate back to baseline.", at));
            if (target == ChangeState.Closed)
                await StepAsync(cr, Days(1), requestor, (c, at) => c.Close(requestor, questionnaire, at));

            var reached = await db.ChangeRequests.AsNoTracking().ByIdOrNumber(cr.Number).Select(c => c.State).SingleAsync(cancellationToken);
            if (reached != target)
                throw new InvalidOperationException($"Demo change {cr.Number} ended {reached}, not {target}: its approvers do not meet its requirements.");
            return cr;
        }

        private static int Stage(ChangeState target) => target switch
        {
            ChangeState.Draft => 0,
            ChangeState.Submitted => 1,
            ChangeState.Approved => 2,
            ChangeState.Implementing => 3,
            ChangeState.Implemented => 4,
            ChangeState.Verified or ChangeState.Failed => 5,
            ChangeState.RolledBack => 6,
            ChangeState.Closed => 7,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Rejected and Cancelled changes are driven step by step."),
        };

        private ChangeFields Fields(Plan plan, Actor requestor, DateTime start, string? implementer = null, ChangeType type = ChangeType.Normal,
            string? justification = null)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plan.Title)))[..40];
            var impact = plan.Risk switch
            {
                Risk.High => "Customers may see up to an hour of downtime during the window; the status page announces it a day ahead.",
                Risk.Medium => "Up to five minutes of degraded service for some customers while nodes restart one by one.",
                _ => "No customer-visible impact expected; instances restart one at a time behind the load balancer.",
            };
            var answers = LowRiskAnswers();
            if (plan.Risk != Risk.Low)
                answers["downtime"] = plan.Risk == Risk.High ? "extended" : "brief";
            return new ChangeFields(
                type,
                plan.Title,
                plan.Purpose,
                $"The {plan.Service} service: staging first, then production.",
                impact,
                $"Redeploy the previous {plan.Service} release from the pipeline (about ten minutes); no data changes to undo.",
                "Unit, integration and security suites in CI; rehearsed in staging with production-like data.",
                $"All suites green on commit {sha[..7]}; staging healthy for an hour after the rehearsal.",
                start,
                start.AddHours(plan.Risk == Risk.High ? 3 : 1),
                [plan.Service],
                answers,
                implementer,
                [new CommitDto(sha, requestor.Email)],
                [$"https://git.example.com/shop/{plan.Service}/pull/{_pullRequests++}"],
                null,
                justification);
        }

        /// <summary>The least risky answer to every question of the risk assessment.</summary>
        private Dictionary<string, string> LowRiskAnswers() =>
            questionnaire.Questions.ToDictionary(q => q.Key, q => q.Options.MinBy(o => o.Weight)!.Key);

        private async Task<Cr> CreateAsync(DateTime at, Actor requestor, ChangeFields fields)
        {
            Set(at);
            var created = Check(await CreateChange.ExecuteAsync(fields, requestor, db, Clock, questionnaire, cancellationToken));
            // The use cases expect a fresh context per request: the aggregate keeps its saved events as "pending".
            db.ChangeTracker.Clear();
            _changes++;
            return new Cr(created.Number, at);
        }

        private Task SubmitAsync(Cr cr, Actor requestor) =>
            StepAsync(cr, Hours(2), requestor, (c, at) => c.Submit(requestor, questionnaire, FreezeCalendar.None, ExceptionRegister.None, at));

        private Task ApproveAsync(Cr cr, Actor approver, string comment, TimeSpan after) =>
            StepAsync(cr, after, approver, (c, at) => c.Decide(approver, ApprovalDecision.Approve, comment, questionnaire, at));

        private Task RejectAsync(Cr cr, Actor approver, string comment) =>
            StepAsync(cr, Hours(5), approver, (c, at) => c.Decide(approver, ApprovalDecision.Reject, comment, questionnaire, at));

        private Task CancelAsync(Cr cr, Actor requestor, string reason) =>
            StepAsync(cr, Days(1), requestor, (c, at) => c.Cancel(requestor, reason, at));

        private async Task StepAsync(Cr cr, TimeSpan after, Actor actor, Func<ChangeRequest, DateTime, Result> rule)
        {
            cr.At += after;
            Set(cr.At);
            // The demo's history happened to nobody: it announces nothing to the configured webhooks or by email.
            var result = await new ChangeCommand(db, Clock, questionnaire, Notifier.None)
                .RunAsync(cr.Number, actor, null, rule, OnConflict.Refuse, cancellationToken);
            db.ChangeTracker.Clear();
            Check(result);
        }

        private void Set(DateTime at)
        {
            if (at > now)
                throw new InvalidOperationException($"The demo timeline reaches {at:O}, after now ({now:O}).");
            _time.Now = new DateTimeOffset(at, TimeSpan.Zero);
        }

        private DateTime DaysAgo(int days) => now.AddDays(-days);

        private DateTime HoursAgo(int hours) => now.AddHours(-hours);

        private static TimeSpan Hours(double hours) => TimeSpan.FromHours(hours);

        private static TimeSpan Minutes(int minutes) => TimeSpan.FromMinutes(minutes);

        private static TimeSpan Days(double days) => TimeSpan.FromDays(days);

        private static DateTime Minute(DateTime at) => new(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, DateTimeKind.Utc);

        private static T Check<T>(Result<T> result) =>
            result.IsSuccess ? result.Value! : throw new InvalidOperationException($"Demo data broke a rule: {result.Error!.Detail}");

        private static void Check(Result result)
        {
            if (!result.IsSuccess)
                throw new InvalidOperationException($"Demo data broke a rule: {result.Error!.Detail}");
        }
    }
}
