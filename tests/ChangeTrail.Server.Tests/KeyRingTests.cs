using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The Data Protection key ring (it signs session cookies and antiforgery tokens) is stored in the database encrypted
/// with a key kept outside it; instances sharing the database and that key read each other's cookies, and an instance
/// with another key refuses to start.
/// </summary>
public abstract class KeyRingTests : IAsyncLifetime
{
    private static readonly string SharedKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly TestProvider _provider;
    private readonly List<ChangeTrailApp> _apps = [];

    protected KeyRingTests(TestProvider provider)
    {
        if (provider == TestProvider.Postgres)
            TestDatabases.RequirePostgres();
        _provider = provider;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The instances sharing a database first, then the one that owns it.
        for (var i = _apps.Count - 1; i >= 0; i--)
            await _apps[i].DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task The_stored_keys_hold_no_key_material_in_clear_and_the_generated_key_file_is_for_its_owner_only()
    {
        var app = await StartAsync(key: null); // the ring is made at start-up
        await app.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        var rows = await KeyRowsAsync(app);
        rows.ShouldNotBeEmpty();
        var decryptor = new KeyRingXmlDecryptor(app.Services);
        foreach (var row in rows)
        {
            row.ShouldNotContain("masterKey");
            var encrypted = XElement.Parse(row).Descendants(KeyRing.EncryptedSecret).ShouldHaveSingleItem();
            encrypted.Attribute("decryptorType")!.Value.ShouldStartWith(typeof(KeyRingXmlDecryptor).FullName!);
            // What it decrypts to is the key as Data Protection wrote it; none of it is in the row.
            var masterKey = decryptor.Decrypt(encrypted.Elements().Single()).DescendantsAndSelf("masterKey").ShouldHaveSingleItem();
            var material = masterKey.Element("value")!.Value;
            material.Length.ShouldBeGreaterThan(40);
            row.ShouldNotContain(material);
        }

        var file = Path.Combine(app.DataDirectory, KeyEncryptionKey.FileName);
        Convert.FromBase64String((await File.ReadAllTextAsync(file, Ct)).Trim()).Length.ShouldBe(32);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Instances_sharing_the_database_and_the_key_read_each_others_antiforgery_tokens_and_session_cookies()
    {
        var first = await StartAsync(SharedKey);
        var second = await StartAsync(SharedKey, sharing: first);
        var cookies = new CookieContainer();
        using var onFirst = first.CreateDefaultClient(new CookieContainerHandler(cookies));
        using var onSecond = second.CreateDefaultClient(new CookieContainerHandler(cookies));

        // The form and its antiforgery cookie come from the first instance, the sign-in is posted to the second...
        var login = await onFirst.GetStringAsync("/login", Ct);
        var signIn = await onSecond.PostAsync("/login",
            WebSession.Form(login, ("Email", WebSession.AdminEmail), ("Password", WebSession.AdminPassword)), Ct);
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signIn.Headers.Location!.OriginalString.ShouldNotContain("login");

        // ...and the session cookie the second issued is good on the first.
        (await onFirst.GetAsync("/", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await KeyRowsAsync(first)).ShouldAllBe(row => !row.Contains("masterKey"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_instance_whose_key_cannot_read_the_ring_refuses_to_start_naming_the_setting(bool configuresAnotherKey)
    {
        var first = await StartAsync(SharedKey);
        await first.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        // Another key, or none at all and so one generated into its own data folder.
        var other = new KeyRingApp(_provider, configuresAnotherKey ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) : null, first);
        _apps.Add(other);
        await other.InitializeAsync();
        var refused = Should.Throw<InvalidOperationException>(other.StartServer);
        refused.Message.ShouldStartWith(KeyEncryptionKey.Setting);
        refused.Message.ShouldContain("cannot be read with this instance's key-encryption key");
        refused.Message.ShouldContain("Every instance sharing the database needs the same");
    }

    [Fact]
    public async Task A_key_stored_in_clear_by_an_earlier_version_keeps_working()
    {
        // A database as an earlier version left it: its one key in clear.
        var earlier = await StartAsync(SharedKey);
        await using (var scope = earlier.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            await db.DataProtectionKeys.ExecuteDeleteAsync(Ct);
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = "legacy", Xml = KeyInClear().ToString(SaveOptions.DisableFormatting) });
            await db.SaveChangesAsync(Ct);
        }

        // An instance starting on it reads the key and keeps using it: no new key, no refusal.
        var app = await StartAsync(SharedKey, sharing: earlier);
        var browser = await app.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        (await browser.GetAsync("/", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await KeyRowsAsync(app)).ShouldHaveSingleItem().ShouldContain("masterKey", customMessage: "the key in clear is still the one in use");
    }

    private async Task<KeyRingApp> StartAsync(string? key, ChangeTrailApp? sharing = null)
    {
        var app = new KeyRingApp(_provider, key, sharing);
        _apps.Add(app);
        await app.InitializeAsync();
        app.StartServer();
        return app;
    }

    private static async Task<List<string>> KeyRowsAsync(ChangeTrailApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync(Ct);
    }

    /// <summary>A key as Data Protection stores it with no encryptor configured, as ChangeTrail did before.</summary>
    private static XElement KeyInClear()
    {
        var repository = new CapturingRepository();
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("ChangeTrail");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = repository);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        return repository.Elements.ShouldHaveSingleItem();
    }

    private sealed class CapturingRepository : IXmlRepository
    {
        public List<XElement> Elements { get; } = [];

        public IReadOnlyCollection<XElement> GetAllElements() => Elements;

        public void StoreElement(XElement element, string friendlyName) => Elements.Add(element);
    }

    /// <summary>A server with the given key-encryption key (none: the generated one), on its own database or another app's.</summary>
    private sealed class KeyRingApp(TestProvider provider, string? key, ChangeTrailApp? sharing = null, bool setUp = true) : ChangeTrailApp(provider)
    {
        protected override bool SetUpOnStart => setUp && sharing is null;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (key is not null)
                builder.UseSetting(KeyEncryptionKey.Setting, key);
            if (sharing is not null)
                builder.UseSetting("ConnectionStrings:ChangeTrail", sharing.DatabaseConnectionString);
        }
    }
}

public sealed class KeyRingTests_Sqlite() : KeyRingTests(TestProvider.Sqlite);

public sealed class KeyRingTests_Postgres() : KeyRingTests(TestProvider.Postgres);

/// <summary>The key-encryption key from configuration, and the settings that are refused.</summary>
public sealed class KeyEncryptionKeyTests
{
    private static readonly string SharedKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_configured_key_must_be_32_bytes_of_base64_and_a_named_file_must_exist()
    {
        var folder = Directory.CreateTempSubdirectory("changetrail-kek").FullName;
        try
        {
            KeyEncryptionKey Key(KeyRingOptions settings) => new(Options.Create(new ChangeTrailOptions { DataDirectory = folder, DataProtection = settings }),
                NullLogger<KeyEncryptionKey>.Instance);

            var file = Path.Combine(folder, "mounted-key");
            File.WriteAllText(file, SharedKey + "\n");
            Key(new KeyRingOptions { KeyEncryptionKeyFile = file }).Id.ShouldBe(Key(new KeyRingOptions { KeyEncryptionKey = SharedKey }).Id);
            File.Exists(Path.Combine(folder, KeyEncryptionKey.FileName)).ShouldBeFalse("a configured key generates none");

            Should.Throw<InvalidOperationException>(() => Key(new KeyRingOptions { KeyEncryptionKey = "not base64!" }))
                .Message.ShouldContain(KeyEncryptionKey.Setting);
            Should.Throw<InvalidOperationException>(() => Key(new KeyRingOptions { KeyEncryptionKey = Convert.ToBase64String(new byte[16]) }))
                .Message.ShouldContain("not the base64 of 32 bytes");
            Should.Throw<InvalidOperationException>(() => Key(new KeyRingOptions { KeyEncryptionKey = Convert.ToBase64String(new byte[33]) }))
                .Message.ShouldContain("not the base64 of 32 bytes");
            Should.Throw<InvalidOperationException>(() => Key(new KeyRingOptions { KeyEncryptionKeyFile = file + ".missing" }))
                .Message.ShouldStartWith(KeyEncryptionKey.FileSetting);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_key_encrypted_under_another_key_or_altered_is_refused_with_a_message()
    {
        static KeyEncryptionKey Key(string key) => new(Options.Create(new ChangeTrailOptions { DataProtection = { KeyEncryptionKey = key } }),
            NullLogger<KeyEncryptionKey>.Instance);
        static KeyRingXmlDecryptor DecryptorWith(KeyEncryptionKey key) => new(new ServiceCollection().AddSingleton(key).BuildServiceProvider());

        var ours = Key(SharedKey);
        var secret = new XElement("masterKey", new XElement("value", "secret material"));
        var encrypted = new KeyRingXmlEncryptor(ours).Encrypt(secret);
        encrypted.DecryptorType.ShouldBe(typeof(KeyRingXmlDecryptor));
        encrypted.EncryptedElement.ToString().ShouldNotContain("secret material");
        DecryptorWith(ours).Decrypt(encrypted.EncryptedElement).ToString().ShouldBe(secret.ToString());

        var theirs = Key(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Should.Throw<CryptographicException>(() => DecryptorWith(theirs).Decrypt(encrypted.EncryptedElement))
            .Message.ShouldBe($"The Data Protection key was encrypted with the key-encryption key {ours.Id}, but this instance's " +
                $"(from {KeyEncryptionKey.Setting}) is {theirs.Id}. Every instance sharing the database needs the same {KeyEncryptionKey.Setting}.");

        var altered = new XElement(encrypted.EncryptedElement);
        var value = Convert.FromBase64String(altered.Element("value")!.Value);
        value[^1] ^= 1;
        altered.Element("value")!.Value = Convert.ToBase64String(value);
        Should.Throw<CryptographicException>(() => DecryptorWith(ours).Decrypt(altered)).Message.ShouldContain("it has been altered");
    }
}
