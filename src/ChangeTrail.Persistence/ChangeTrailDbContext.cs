using System.Data.Common;
using System.Text.Json;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Evidence;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ChangeTrail.Persistence;

/// <summary>
/// The one model shared by both providers. Each provider has a small subclass only so that its
/// migrations live in their own folder (see ARCHITECTURE.md, "Engineering notes").
/// </summary>
/// <param name="groupCommit">The instance's group commit for ledger appends; without one, each save commits alone.</param>
public abstract class ChangeTrailDbContext(DbContextOptions options, LedgerGroupCommit? groupCommit = null)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core Data Protection keys: shared by every instance, so cookies and antiforgery tokens work on all of them.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ChangeRequest> ChangeRequests => Set<ChangeRequest>();
    public DbSet<Approval> Approvals => Set<Approval>();
    public DbSet<ChangeEvent> ChangeEvents => Set<ChangeEvent>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<ChangeNumber> ChangeNumbers => Set<ChangeNumber>();
    public DbSet<Installation> Installations => Set<Installation>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<RetentionSetting> RetentionSettings => Set<RetentionSetting>();
    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();
    public DbSet<LedgerNode> LedgerNodes => Set<LedgerNode>();
    public DbSet<LedgerHead> LedgerHeads => Set<LedgerHead>();
    public DbSet<LedgerTree> LedgerTrees => Set<LedgerTree>();
    public DbSet<LedgerCheckpoint> LedgerCheckpoints => Set<LedgerCheckpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<EmailDelivery> EmailDeliveries => Set<EmailDelivery>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<TestEvidence> Evidence => Set<TestEvidence>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<GateDecision> GateDecisions => Set<GateDecision>();
    public DbSet<CredentialEpoch> CredentialEpochs => Set<CredentialEpoch>();
    public DbSet<FreezeWindow> FreezeWindows => Set<FreezeWindow>();
    public DbSet<PolicyException> PolicyExceptions => Set<PolicyException>();
    public DbSet<PolicyExceptionNumber> PolicyExceptionNumbers => Set<PolicyExceptionNumber>();
    public DbSet<ChangeTemplate> ChangeTemplates => Set<ChangeTemplate>();
    public DbSet<PolicyVersion> PolicyVersions => Set<PolicyVersion>();
    public DbSet<PolicyReview> PolicyReviews => Set<PolicyReview>();
    public DbSet<SentNotification> SentNotifications => Set<SentNotification>();

    private readonly List<LedgerAction> _recorded = [];
    private string? _ownConnectionString;
    private CredentialEpoch? _epoch;

    /// <summary>Queues an action for the ledger; the next save appends it in the same transaction as everything else it saves.</summary>
    public void Record(LedgerAction action) => _recorded.Add(action);

    /// <summary>
    /// Drops queued actions whose save will not happen (a lost race about to be retried). A save that fails
    /// queues its actions again, so a caller that starts over with a cleared tracker must drop them too.
    /// </summary>
    public void DiscardRecorded() => _recorded.Clear();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampCredentialChanges();
        var changes = TakeChangeEvents();
        if (_recorded.Count == 0 && changes.Count == 0)
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        // The leaf hashes are computed here, on the request's own flow, before any lock or shared transaction.
        var append = new LedgerAppend([.. _recorded], changes);
        _recorded.Clear();
        int saved;
        if (Database.CurrentTransaction is null && groupCommit is not null)
        {
            saved = await groupCommit.SaveAsync(this, append, acceptAllChangesOnSuccess);
        }
        else
        {
            try
            {
                await using var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
                saved = await SaveChangesInTransactionAsync(cancellationToken) + append.Actions.Count;
                await LedgerAppend.WriteAsync(this, [append], cancellationToken);
                if (own is not null)
                    await own.CommitAsync(cancellationToken);
                if (acceptAllChangesOnSuccess)
                    ChangeTracker.AcceptAllChanges();
            }
            catch
            {
                Restore(append);
                throw;
            }
        }
        append.Committed();
        return saved;
    }

    /// <summary>
    /// The change requests this save changes, with their timeline events added to it: a change's events and its ledger
    /// entry come from the aggregate itself, so no handler or page can save a transition and forget either. Events
    /// already added by a save that did not commit are not added twice.
    /// </summary>
    private List<ChangeRequest> TakeChangeEvents()
    {
        // The pending events live on the aggregates, not in tracked state: finding them needs no change detection, which
        // the save itself runs next (once, not twice on every save).
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        List<ChangeRequest> changes;
        try
        {
            changes = ChangeTracker.Entries<ChangeRequest>()
                .Where(e => e.State != EntityState.Deleted && e.Entity.PendingEvents.Count > 0)
                .Select(e => e.Entity)
                .ToList();
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        foreach (var change in changes)
        {
            foreach (var pending in change.PendingEvents)
            {
                if (Entry(pending).State == EntityState.Detached)
                    ChangeEvents.Add(pending);
            }
        }
        return changes;
    }

    /// <summary>
    /// Saves the changes in the transaction already open, leaving them pending in the tracker until the
    /// transaction is known to have committed, so a rolled-back transaction can be tried again.
    /// </summary>
    internal async Task<int> SaveChangesInTransactionAsync(CancellationToken cancellationToken)
    {
        // The transaction is all-or-nothing already; EF's own savepoint around each save would only add statements.
        Database.AutoSavepointsEnabled = false;
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
        }
        finally
        {
            Database.AutoSavepointsEnabled = true;
        }
    }

    /// <summary>
    /// After a save that did not commit: its actions are queued again, so the context is as it was before the
    /// save, and saving it again cannot save the changes without their entries.
    /// </summary>
    internal void Restore(LedgerAppend append) => _recorded.InsertRange(0, append.Queued);

    /// <summary>Joins another context's connection, for its saves in a group commit; the transaction is given per attempt.</summary>
    internal void Join(DbConnection connection)
    {
        _ownConnectionString = Database.GetConnectionString();
        Database.SetDbConnection(connection, contextOwnsConnection: false);
    }

    /// <summary>Goes back to a connection of this context's own after <see cref="Join"/>, leaving the shared one open.</summary>
    internal async Task LeaveAsync()
    {
        var shared = Database.GetDbConnection();
        await Database.UseTransactionAsync(null);
        await Database.CloseConnectionAsync();
        var own = DbProviderFactories.GetFactory(shared)?.CreateConnection()
            ?? throw new InvalidOperationException($"{shared.GetType().Name} has no provider factory to create a connection with.");
        own.ConnectionString = _ownConnectionString;
        Database.SetDbConnection(own, contextOwnsConnection: true);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (_recorded.Count > 0)
            throw new InvalidOperationException("Recorded actions are appended to the ledger by SaveChangesAsync only.");
        StampCredentialChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>
    /// A save that changes a token, a person or their roles gives <see cref="CredentialEpoch"/> a new value in its own
    /// transaction: servers that keep credentials in memory see it on their next request and read them again.
    /// </summary>
    private void StampCredentialChanges()
    {
        if (!CredentialEpoch.AnyChangeIn(ChangeTracker))
            return;
        if (_epoch is null || Entry(_epoch).State == EntityState.Detached)
        {
            _epoch = new CredentialEpoch { Id = CredentialEpoch.SingletonId };
            CredentialEpochs.Attach(_epoch);
        }
        _epoch.Value = System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue
            + System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
        Entry(_epoch).Property(e => e.Value).IsModified = true;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Instants are stored as UTC DateTime; SQLite reads them back unspecified, so say what they are.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
        // Enums as their names: the database stays readable, and reordering an enum cannot corrupt data.
        configurationBuilder.Properties<ChangeType>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<ChangeState>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<RiskLevel>().HaveConversion<string>().HaveMaxLength(10);
        configurationBuilder.Properties<ApprovalDecision>().HaveConversion<string>().HaveMaxLength(10);
        configurationBuilder.Properties<EvidenceKind>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<EvidenceFormat>().HaveConversion<string>().HaveMaxLength(10);
        configurationBuilder.Properties<DeploymentStatus>().HaveConversion<string>().HaveMaxLength(10);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<AppUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.Property(u => u.InvitationHash).HasMaxLength(64);
            user.HasIndex(u => u.InvitationHash).IsUnique();
            user.Ignore(u => u.IsActive);
        });

        builder.Entity<CredentialEpoch>(epoch =>
        {
            epoch.ToTable("CredentialEpoch");
            epoch.HasKey(e => e.Id);
            epoch.Property(e => e.Id).ValueGeneratedNever();
            epoch.HasData(new CredentialEpoch { Id = CredentialEpoch.SingletonId, Value = 0 });
        });

        builder.Entity<ApiToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.Property(t => t.Prefix).HasMaxLength(16);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.OwnerId);
            token.HasOne<AppUser>().WithMany().HasForeignKey(t => t.OwnerId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Service>(service =>
        {
            service.HasKey(s => s.Id);
            service.Property(s => s.Name).HasMaxLength(100);
            service.Property(s => s.NormalizedName).HasMaxLength(100);
            service.HasIndex(s => s.NormalizedName).IsUnique();
            service.Property(s => s.Repository).HasMaxLength(500);
            service.OwnsMany(s => s.Environments, env => env.ToJson());
            service.Ignore(s => s.Profile);
        });

        builder.Entity<ChangeRequest>(change =>
        {
            change.HasKey(c => c.Id);
            change.HasIndex(c => c.Number).IsUnique();
            change.HasIndex(c => c.State);
            change.HasIndex(c => c.CreatedAt);
            change.HasIndex(c => c.RequestorId);
            change.Property(c => c.Title).HasMaxLength(ChangeContent.TitleMaxLength);
            change.Property(c => c.Version).IsConcurrencyToken();
            change.Property(c => c.ContentHash).HasMaxLength(64);
            change.Property(c => c.ReviewCredential).HasMaxLength(Credentials.MaxLength);
            change.Property(c => c.RiskAnswers).HasConversion(RiskAnswersAsJson, RiskAnswersComparer);
            // The risk and the legal hold are value objects of the change, stored in its own columns under the names they
            // had as plain properties. A change without a hold has all three hold columns null and reads back a null hold.
            change.ComplexProperty(c => c.Risk, risk =>
            {
                risk.Property(r => r.Security).HasColumnName("SecurityRisk");
                risk.Property(r => r.Availability).HasColumnName("AvailabilityRisk");
                risk.Property(r => r.Operations).HasColumnName("OperationsRisk");
                risk.Property(r => r.Overall).HasColumnName("OverallRisk");
                risk.Property(r => r.QuestionnaireVersion).HasColumnName("RiskQuestionnaireVersion");
                risk.Property(r => r.TouchesRegulatedDataOrSecurityControl).HasColumnName(nameof(RiskAssessment.TouchesRegulatedDataOrSecurityControl));
            });
            change.ComplexProperty(c => c.LegalHold, hold =>
            {
                hold.Property(h => h.Reason).HasColumnName("LegalHoldReason").HasMaxLength(LegalHold.ReasonMaxLength);
                hold.Property(h => h.PlacedById).HasColumnName("LegalHoldPlacedById");
                hold.Property(h => h.PlacedAt).HasColumnName("LegalHoldPlacedAt");
            });
            // The approval bookkeeping (ChangeApprovals) is mapped through the change's private members: its required slots
            // are a column of the change, its decisions rows of their own table.
            change.Ignore(c => c.Approvals);
            change.PrimitiveCollection<List<ApprovalSlot>>("RequiredApprovals").ElementType(e => e.HasConversion<string>());
            change.PrimitiveCollection(c => c.Services);
            change.PrimitiveCollection(c => c.Links);
            change.PrimitiveCollection(c => c.Exceptions);
            change.PrimitiveCollection(c => c.ReviewFollowUps);
            change.Property(c => c.ReviewOutcome).HasConversion<string>().HasMaxLength(30);
            // A template's usage count and the gate's search for an open change of a template.
            change.HasIndex(c => c.TemplateId);
            change.OwnsMany(c => c.Commits, commit => commit.ToJson());
            change.HasMany<Approval>("Decisions").WithOne().HasForeignKey(a => a.ChangeRequestId).OnDelete(DeleteBehavior.Cascade);
            change.Navigation("Decisions").AutoInclude();
            change.Ignore(c => c.PendingEvents);
        });

        builder.Entity<Approval>(approval =>
        {
            approval.HasKey(a => a.Id);
            // The aggregate assigns ids, so a new approval found in the collection is an insert, not an update.
            approval.Property(a => a.Id).ValueGeneratedNever();
            approval.Property(a => a.ContentHash).HasMaxLength(64);
            approval.PrimitiveCollection(a => a.FillableSlots).ElementType(e => e.HasConversion<string>());
            approval.Property(a => a.Credential).HasMaxLength(Credentials.MaxLength);
            approval.Ignore(a => a.IsActive);
        });

        builder.Entity<ChangeEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Action).HasMaxLength(50);
            e.HasIndex(x => new { x.ChangeRequestId, x.Version }).IsUnique();
            e.HasOne<ChangeRequest>().WithMany().HasForeignKey(x => x.ChangeRequestId).OnDelete(DeleteBehavior.Cascade);
        });

        // The roles are fixed by the policy, so they are part of the schema rather than seeded at start-up.
        builder.Entity<IdentityRole<Guid>>().HasData(Enum.GetValues<Role>().Select((role, i) => new IdentityRole<Guid>
        {
            Id = new Guid($"00000000-0000-0000-0000-{i + 1:D12}"),
            Name = role.ToString(),
            NormalizedName = role.ToString().ToUpperInvariant(),
            ConcurrencyStamp = role.ToString(),
        }));

        builder.Entity<LedgerEntry>(entry =>
        {
            entry.ToTable("LedgerEntry");
            entry.HasKey(e => e.Index);
            entry.Property(e => e.Index).ValueGeneratedNever();
            entry.Property(e => e.Action).HasMaxLength(100);
            entry.Property(e => e.SubjectType).HasMaxLength(50);
            entry.Property(e => e.SubjectId).HasMaxLength(100);
            entry.Property(e => e.LeafHash).HasMaxLength(32);
            entry.HasIndex(e => new { e.SubjectType, e.SubjectId, e.Index });
            entry.HasIndex(e => new { e.ActorId, e.Index });
        });
        builder.Entity<LedgerNode>(node =>
        {
            node.ToTable("LedgerNode");
            node.HasKey(n => new { n.Level, n.Index });
            node.Property(n => n.Hash).HasMaxLength(32);
        });
        builder.Entity<LedgerHead>(head =>
        {
            head.ToTable("LedgerHead");
            head.HasKey(h => h.Id);
            head.Property(h => h.Id).ValueGeneratedNever();
            head.HasData(new LedgerHead { Id = LedgerHead.SingletonId, Size = 0 });
        });
        builder.Entity<LedgerTree>(tree =>
        {
            tree.ToTable("LedgerTree");
            tree.HasKey(t => t.Id);
            tree.Property(t => t.Id).ValueGeneratedNever();
            tree.HasData(new LedgerTree { Id = LedgerTree.SingletonId, Size = 0 });
        });
        builder.Entity<LedgerCheckpoint>(checkpoint =>
        {
            checkpoint.ToTable("LedgerCheckpoint");
            checkpoint.HasKey(c => c.TreeSize);
            checkpoint.Property(c => c.TreeSize).ValueGeneratedNever();
            checkpoint.Property(c => c.RootHash).HasMaxLength(32);
        });

        builder.Entity<ChangeNumber>(n => n.HasKey(x => x.Id));
        builder.Entity<RetentionSetting>(r =>
        {
            r.HasKey(x => x.Id);
            r.Property(x => x.Id).ValueGeneratedNever();
        });
        builder.Entity<Installation>(i =>
        {
            i.HasKey(x => x.Id);
            i.Property(x => x.Id).ValueGeneratedNever();
        });
        builder.Entity<IdempotencyRecord>(r =>
        {
            r.HasKey(x => new { x.Credential, x.Key });
            r.Property(x => x.Credential).HasMaxLength(Credentials.MaxLength);
            r.Property(x => x.Key).HasMaxLength(200);
            r.Property(x => x.RequestHash).HasMaxLength(64);
            r.Property(x => x.ContentType).HasMaxLength(200);
            r.Property(x => x.Location).HasMaxLength(500);
            // The sweep deletes by age.
            r.HasIndex(x => x.CreatedAt);
        });
        builder.Entity<SignInThrottle>(t =>
        {
            t.HasKey(x => new { x.UserId, x.Client });
            t.Property(x => x.Client).HasMaxLength(SignInThrottle.KeyMaxLength);
        });
        ConfigurePipelineRecords(builder);
        builder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("WebhookDelivery");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Id).ValueGeneratedNever();
            delivery.Property(d => d.WebhookUrl).HasMaxLength(WebhookDelivery.UrlMaxLength);
            delivery.Property(d => d.EventType).HasMaxLength(WebhookDelivery.EventTypeMaxLength);
            delivery.Property(d => d.LastError).HasMaxLength(WebhookDelivery.LastErrorMaxLength);
            // The sender's poll: undelivered rows that are due.
            delivery.HasIndex(d => new { d.DeliveredAt, d.NextAttemptAt });
        });
        builder.Entity<EmailDelivery>(email =>
        {
            email.ToTable("EmailDelivery");
            email.HasKey(d => d.Id);
            email.Property(d => d.Id).ValueGeneratedNever();
            email.Property(d => d.To).HasMaxLength(EmailDelivery.AddressMaxLength);
            email.Property(d => d.EventType).HasMaxLength(WebhookDelivery.EventTypeMaxLength);
            email.Property(d => d.Subject).HasMaxLength(EmailDelivery.SubjectMaxLength);
            email.Property(d => d.LastError).HasMaxLength(EmailDelivery.LastErrorMaxLength);
            email.HasIndex(d => new { d.DeliveredAt, d.NextAttemptAt });
        });
        builder.Entity<NotificationPreference>(preference =>
        {
            preference.ToTable("NotificationPreference");
            preference.HasKey(p => new { p.UserId, p.EventType });
            preference.Property(p => p.EventType).HasMaxLength(WebhookDelivery.EventTypeMaxLength);
            preference.HasOne<AppUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>What pipelines report: evidence, deployments and the gate's decisions, each a record of its own that references its change.</summary>
    private static void ConfigurePipelineRecords(ModelBuilder builder)
    {
        builder.Entity<TestEvidence>(evidence =>
        {
            evidence.ToTable("Evidence");
            evidence.HasKey(e => e.Id);
            evidence.Property(e => e.Id).ValueGeneratedNever();
            evidence.Property(e => e.Commit).HasMaxLength(CommitRef.ShaMaxLength);
            evidence.Property(e => e.CommitKey).HasMaxLength(CommitRef.ShaMinLength);
            evidence.Property(e => e.Environment).HasMaxLength(Service.NameMaxLength);
            evidence.Property(e => e.Sha256).HasMaxLength(64);
            evidence.Property(e => e.FileName).HasMaxLength(TestEvidence.FileNameMaxLength);
            evidence.Property(e => e.Tool).HasMaxLength(TestEvidence.ToolMaxLength);
            evidence.OwnsMany(e => e.Findings, finding => finding.ToJson());
            evidence.Ignore(e => e.FindingCounts);
            // The gate reads a commit's evidence; the change page reads a change's.
            evidence.HasIndex(e => e.CommitKey);
            evidence.HasIndex(e => e.ChangeRequestId);
        });
        builder.Entity<Deployment>(deployment =>
        {
            deployment.HasKey(d => d.Id);
            deployment.Property(d => d.Id).ValueGeneratedNever();
            deployment.Property(d => d.Environment).HasMaxLength(Service.NameMaxLength);
            deployment.Property(d => d.Commit).HasMaxLength(CommitRef.ShaMaxLength);
            deployment.Property(d => d.CommitKey).HasMaxLength(CommitRef.ShaMinLength);
            deployment.Property(d => d.Artifact).HasMaxLength(Deployment.ArtifactMaxLength);
            deployment.Property(d => d.PipelineUrl).HasMaxLength(Deployment.PipelineUrlMaxLength);
            deployment.Property(d => d.Version).IsConcurrencyToken();
            deployment.Ignore(d => d.IsFinished);
            // The gate: this commit of this service, deployed where? The deployments view: a service's, newest first.
            deployment.HasIndex(d => new { d.ServiceId, d.CommitKey });
            deployment.HasIndex(d => new { d.ServiceId, d.StartedAt });
            deployment.HasIndex(d => d.ChangeRequestId);
        });
        builder.Entity<GateDecision>(decision =>
        {
            decision.HasKey(d => d.Id);
            decision.Property(d => d.Id).ValueGeneratedNever();
            decision.Property(d => d.ChangeReference).HasMaxLength(GateDecision.ChangeReferenceMaxLength);
            decision.Property(d => d.Service).HasMaxLength(Service.NameMaxLength);
            decision.Property(d => d.Environment).HasMaxLength(Service.NameMaxLength);
            decision.Property(d => d.Commit).HasMaxLength(CommitRef.ShaMaxLength);
            decision.Property(d => d.Artifact).HasMaxLength(Deployment.ArtifactMaxLength);
            decision.Property(d => d.Credential).HasMaxLength(Credentials.MaxLength);
            decision.OwnsMany(d => d.Reasons, reason => reason.ToJson());
            decision.OwnsMany(d => d.Waivers, waiver => waiver.ToJson());
            decision.HasIndex(d => new { d.ChangeRequestId, d.At });
        });
        builder.Entity<FreezeWindow>(freeze =>
        {
            freeze.HasKey(f => f.Id);
            freeze.Property(f => f.Id).ValueGeneratedNever();
            freeze.Property(f => f.Name).HasMaxLength(FreezeWindow.NameMaxLength);
            freeze.Property(f => f.Recurrence).HasMaxLength(FreezeWindow.RecurrenceMaxLength);
            freeze.PrimitiveCollection(f => f.Services);
            freeze.Ignore(f => f.Length);
            freeze.Ignore(f => f.IsLifted);
            freeze.Ignore(f => f.AppliesToEveryService);
            freeze.HasIndex(f => f.Start);
        });
        builder.Entity<PolicyException>(exception =>
        {
            exception.HasKey(e => e.Id);
            exception.Property(e => e.Id).ValueGeneratedNever();
            exception.HasIndex(e => e.Number).IsUnique();
            exception.Property(e => e.Title).HasMaxLength(PolicyException.TitleMaxLength);
            exception.Property(e => e.PolicyClause).HasMaxLength(WaivableControl.KeyMaxLength);
            exception.Property(e => e.State).HasConversion<string>().HasMaxLength(20);
            exception.Property(e => e.Version).IsConcurrencyToken();
            exception.OwnsMany(e => e.Decisions, decision =>
            {
                decision.ToJson();
                decision.Property(d => d.Decision).HasConversion<string>();
                decision.PrimitiveCollection(d => d.Fillable).ElementType(e => e.HasConversion<string>());
            });
            exception.Ignore(e => e.Control);
            exception.Ignore(e => e.DisplayNumber);
            // The register in force: approved ones by expiry.
            exception.HasIndex(e => new { e.State, e.ExpiresAt });
        });
        builder.Entity<PolicyExceptionNumber>(n => n.HasKey(x => x.Id));
        builder.Entity<PolicyVersion>(version =>
        {
            version.HasKey(v => v.Id);
            version.Property(v => v.Id).ValueGeneratedNever();
            version.HasIndex(v => v.Number).IsUnique();
            version.Property(v => v.State).HasConversion<string>().HasMaxLength(20);
            version.Property(v => v.Version).IsConcurrencyToken();
            version.OwnsMany(v => v.Decisions, decision =>
            {
                decision.ToJson();
                decision.PrimitiveCollection(d => d.Fillable).ElementType(e => e.HasConversion<string>());
            });
            version.Ignore(v => v.DisplayNumber);
        });
        builder.Entity<SentNotification>(sent =>
        {
            sent.HasKey(x => x.Key);
            sent.Property(x => x.Key).HasMaxLength(SentNotification.KeyMaxLength);
        });
        builder.Entity<PolicyReview>(review =>
        {
            review.HasKey(r => r.Id);
            review.Property(r => r.Id).ValueGeneratedNever();
            review.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(20);
            review.HasIndex(r => r.ReviewedAt);
        });
        builder.Entity<ChangeTemplate>(template =>
        {
            template.HasKey(t => t.Id);
            template.Property(t => t.Id).ValueGeneratedNever();
            // A name is never reused, even once retired: a pipeline naming it means one template only, forever.
            template.Property(t => t.Name).HasMaxLength(ChangeTemplate.NameMaxLength);
            template.HasIndex(t => t.Name).IsUnique();
            template.Property(t => t.Title).HasMaxLength(ChangeTemplate.TitleMaxLength);
            template.Property(t => t.State).HasConversion<string>().HasMaxLength(20);
            template.PrimitiveCollection(t => t.Services);
            template.PrimitiveCollection(t => t.Environments);
            template.PrimitiveCollection(t => t.FormerAuthors);
            template.PrimitiveCollection(t => t.RequiredApprovals).ElementType(e => e.HasConversion<string>());
            template.Property(t => t.RiskAnswers).HasConversion(RiskAnswersAsJson, RiskAnswersComparer);
            template.Property(t => t.Version).IsConcurrencyToken();
            template.OwnsMany(t => t.Decisions, decision =>
            {
                decision.ToJson();
                decision.PrimitiveCollection(d => d.Fillable).ElementType(e => e.HasConversion<string>());
            });
            template.Ignore(t => t.Rule);
        });
    }

    /// <summary>Risk answers (<c>{questionKey: optionKey}</c>) as one JSON column, of a change and of a template alike.</summary>
    private static readonly ValueConverter<Dictionary<string, string>, string> RiskAnswersAsJson = new(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
        v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, JsonSerializerOptions.Default) ?? new());

    private static readonly ValueComparer<Dictionary<string, string>> RiskAnswersComparer = new(
        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
        v => v.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
        v => new Dictionary<string, string>(v, StringComparer.Ordinal));

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v.Value : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
