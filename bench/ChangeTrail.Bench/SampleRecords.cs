using System.Globalization;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;

namespace ChangeTrail.Bench;

/// <summary>One subject's canonical JSON as the ledger records it, with what the action would be called.</summary>
internal sealed record SampleRecord(string Action, string SubjectType, string SubjectId, string Json);

/// <summary>
/// Realistic ledger records: the app's own canonical JSON (<see cref="CanonicalRecords"/>) of change requests,
/// services, users and tokens made through the domain, with deterministic, seeded content.
/// </summary>
internal static class SampleRecords
{
    private static readonly string[] Words =
    [
        "upgrade", "database", "driver", "rollback", "deploy", "canary", "traffic", "cluster", "payments", "ledger", "config",
        "certificate", "rotate", "index", "migration", "latency", "alert", "threshold", "kubernetes", "node", "pool", "cache",
        "invalidate", "feature", "flag", "release", "hotfix", "schema", "replica", "failover", "runbook", "verify", "smoke",
        "tests", "dashboard", "error", "budget", "customer", "impact", "window", "maintenance", "backup", "restore", "audit",
    ];

    private static readonly DateTime Epoch = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// A mix of kinds with sizes spread evenly over [<paramref name="minBytes"/>, <paramref name="maxBytes"/>]: for each
    /// record a size is drawn, then a kind that has records of about that size is made to fit it. A change request's
    /// canonical JSON is never under <see cref="ChangeRequestMinimum"/> bytes (its fixed fields alone), so smaller
    /// sizes are services (sized by their environments), users and tokens.
    /// </summary>
    public static SampleRecord[] Mixed(int count, int seed, int minBytes, int maxBytes)
    {
        var random = new Random(seed);
        var services = MakeServices(random, 20);
        var records = new SampleRecord[count];
        for (var i = 0; i < count; i++)
        {
            var target = random.Next(minBytes, maxBytes + 1);
            SampleRecord record;
            var tries = 0;
            do
            {
                record = target >= ChangeRequestMinimum ? ChangeRequestOfSize(random, services, i + 1, target)
                    : target > 460 ? ServiceOfSize(random, target)
                    : random.Next(3) switch
                    {
                        0 => User(random),
                        1 => Token(random),
                        _ => ServiceOfSize(random, target),
                    };
                if (++tries % 20 == 0)
                    target = random.Next(minBytes, maxBytes + 1);
            }
            while (record.Json.Length < minBytes || record.Json.Length > maxBytes);
            records[i] = record;
        }
        return records;
    }

    /// <summary>The smallest canonical JSON of a change request: every field present, texts empty (about 1.35 KB).</summary>
    public const int ChangeRequestMinimum = 1_360;

    private static List<Service> MakeServices(Random random, int count) =>
        Enumerable.Range(0, count).Select(i => Service.Create(Guid(random), $"service-{i}", $"https://git.example.test/team/service-{i}",
            i % 7 == 0, i % 5 == 0, [new("staging", false), new("production", true)], Epoch).Value!).ToList();

    private static SampleRecord ChangeRequestOfSize(Random random, List<Service> services, long number, int targetBytes)
    {
        // The canonical form's fixed part (ids, states, risk, every field's name) is about 1.35 KB with empty
        // texts; the texts fill the rest. Below that, texts are dropped and the record is what it is.
        var questionnaire = DefaultRiskQuestionnaire.Instance;
        var service = services[random.Next(services.Count)];
        var answers = questionnaire.Questions.ToDictionary(q => q.Key, q => q.Options[random.Next(q.Options.Count)].Key);
        var requestor = new Actor(Guid(random), "dev@example.test", false, new HashSet<Role> { Role.Requestor });
        var at = Epoch.AddMinutes(random.Next(500_000));
        string Make(int textBudget)
        {
            var title = $"CR {number}: {Sentence(random, Math.Clamp(textBudget / 8, 12, 120))}";
            var content = new ChangeContent(title, Sentence(random, textBudget / 3), Sentence(random, textBudget / 6),
                Sentence(random, textBudget / 6), Sentence(random, textBudget / 8), Sentence(random, textBudget / 10), null,
                at.AddDays(3), at.AddDays(3).AddHours(2), [service.Id], answers, null, [], [], null, []);
            var change = ChangeRequest.Create(Guid(random), number, ChangeType.Normal, content, requestor, [service.Profile], questionnaire, at).Value!;
            return CanonicalRecords.Of(change);
        }
        var empty = Make(0);
        var json = Make(Math.Max(0, targetBytes - empty.Length));
        return new SampleRecord("change.edited", LedgerSubjects.ChangeRequest.Type, Guid(random).ToString(), json);
    }

    private static SampleRecord User(Random random)
    {
        var name = $"{Words[random.Next(Words.Length)]}.{Words[random.Next(Words.Length)]}{random.Next(1000)}";
        var user = new AppUser
        {
            Id = Guid(random),
            UserName = name,
            Email = $"{name}@example.test",
            DisplayName = Sentence(random, random.Next(10, 60)),
            IsServiceAccount = random.Next(5) == 0,
            CreatedAt = Epoch.AddMinutes(random.Next(500_000)),
        };
        string[] roles = random.Next(3) == 0 ? ["Requestor", "Approver", "SecurityReviewer"] : ["Requestor"];
        return new SampleRecord("user.updated", LedgerSubjects.User.Type, user.Id.ToString(), CanonicalRecords.Of(user, roles));
    }

    private static SampleRecord Token(Random random)
    {
        var token = new ApiToken
        {
            Id = Guid(random),
            OwnerId = Guid(random),
            Name = Sentence(random, random.Next(10, 80)),
            Prefix = "ct_" + random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture),
            Scopes = ["changes:read", "changes:write", "deployments:gate"],
            CreatedById = Guid(random),
            CreatedAt = Epoch.AddMinutes(random.Next(500_000)),
            ExpiresAt = Epoch.AddDays(365),
        };
        return new SampleRecord("token.created", LedgerSubjects.ApiToken.Type, token.Id.ToString(), CanonicalRecords.Of(token));
    }

    /// <summary>A service with as many environments as bring its canonical JSON to about <paramref name="targetBytes"/>.</summary>
    private static SampleRecord ServiceOfSize(Random random, int targetBytes)
    {
        var id = Guid(random);
        var name = $"svc-{random.Next(100_000)}";
        var repository = $"https://git.example.test/{Words[random.Next(Words.Length)]}/{random.Next(1000)}";
        var (regulated, security) = (random.Next(3) == 0, random.Next(3) == 0);
        var created = Epoch.AddMinutes(random.Next(500_000));
        var environments = new List<ServiceEnvironment>();
        string json;
        while (true)
        {
            json = CanonicalRecords.Of(Service.Create(id, name, repository, regulated, security, environments, created).Value!);
            if (json.Length >= targetBytes - 20 || environments.Count >= 40)
                break;
            environments.Add(new ServiceEnvironment($"{Words[random.Next(Words.Length)]}-{environments.Count}", environments.Count == 0));
        }
        return new SampleRecord("service.updated", LedgerSubjects.Service.Type, id.ToString(), json);
    }

    private static string Sentence(Random random, int length)
    {
        if (length <= 0)
            return "";
        var text = new System.Text.StringBuilder(length + 16);
        while (text.Length < length)
        {
            if (text.Length > 0)
                text.Append(' ');
            text.Append(Words[random.Next(Words.Length)]);
        }
        return text.ToString(0, length).TrimEnd();
    }

    private static Guid Guid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
