using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Shouldly;

// This test drives a separate server process; its waits are bounded by their own timeouts and the kill.
#pragma warning disable xUnit1051

namespace ChangeTrail.Server.Tests;

/// <summary>
/// A server process killed with SIGKILL in the middle of appends: after a restart the log has no half
/// entry, no gap, no action without its entry and no entry without its action, and every write the
/// server acknowledged is there.
/// </summary>
public sealed class CrashTests
{
    [Fact]
    public async Task A_server_killed_mid_append_loses_no_acknowledged_write_and_leaves_no_half_entry()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("changetrail-crash").FullName;
        try
        {
            var port = FreePort();
            var server = Start(dataDirectory, port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilUpAsync(http);

            var setup = await (await http.PostAsJsonAsync("/api/v1/setup",
                new SetupRequest("admin@example.test", "Admin", "a long enough password", "crash-code"), ApiJson.Options))
                .Content.ReadFromJsonAsync<SetupResponse>(ApiJson.Options);
            http.DefaultRequestHeaders.Authorization = new("Bearer", setup!.Token);
            await http.PostAsJsonAsync("/api/v1/services", new CreateServiceRequest("api", null, false, false, []), ApiJson.Options);
            // The admin requests the changes too, which keeps the test to one identity.
            await GrantRequestorAsync(dataDirectory, setup.UserId);

            var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Guid>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var response = await http.PostAsJsonAsync("/api/v1/changes",
                            new ChangeFields(Domain.Changes.ChangeType.Normal, "Crash test change", "p", null, null, null, null, null, null, null,
                                ["api"], null, null, null, null, null, null), ApiJson.Options, stop.Token);
                        if (response.StatusCode == HttpStatusCode.Created)
                            acknowledged.Add((await response.Content.ReadFromJsonAsync<ChangeResponse>(ApiJson.Options))!.Id);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SocketException)
                    {
                        // The server was killed under us: whatever was not acknowledged may or may not be there. A kill in the
                        // middle of a connect surfaces as a bare SocketException (the handler reads the socket's remote end).
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(2));
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            acknowledged.Count.ShouldBeGreaterThan(0, "some writes must have been acknowledged before the kill");

            // Restart on the same data: the server must come up on the database the kill left behind.
            var restarted = Start(dataDirectory, port);
            try
            {
                await WaitUntilUpAsync(http);
                (await http.GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
            finally
            {
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync();
            }

            await using var db = Open(dataDirectory);
            var entries = await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Index).ToListAsync();
            var size = (await db.LedgerHeads.AsNoTracking().SingleAsync()).Size;
            entries.Select(e => e.Index).ShouldBe(Enumerable.Range(0, (int)size).Select(i => (long)i), "no gap and no half entry");
            entries.ShouldAllBe(e => Hash32.FromBytes(e.LeafHash) == e.ComputeLeafHash());
            (await LedgerIntegrator.IntegrateAsync(db, CancellationToken.None)).ShouldBe(size, "the tree is built over every entry the kill left");
            var nodes = await LedgerNodeStore.LoadAsync(db, MerkleMath.RootHashNodes(size), CancellationToken.None);
            MerkleMath.RootHash(size, (start, length) => nodes[NodeId.FromRange(start, length)])
                .ShouldBe(MerkleTree.FromLeafHashes(entries.Select(e => Hash32.FromBytes(e.LeafHash))).RootHash());

            var changes = await db.ChangeRequests.AsNoTracking().Select(c => c.Id).ToListAsync();
            var created = entries.Where(e => e.Action == "change.created").Select(e => Guid.Parse(e.SubjectId)).ToHashSet();
            created.SetEquals(changes).ShouldBeTrue("every change has its entry and every entry its change");
            acknowledged.ShouldAllBe(id => created.Contains(id));
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Gives the first admin the Requestor role directly in the database, as an operator could.</summary>
    private static async Task GrantRequestorAsync(string dataDirectory, Guid userId)
    {
        await using var db = Open(dataDirectory);
        var role = await db.Roles.SingleAsync(r => r.Name == nameof(Role.Requestor));
        db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<Guid> { UserId = userId, RoleId = role.Id });
        await db.SaveChangesAsync();
    }

    private static Process Start(string dataDirectory, int port)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "changetrail-server.dll");
        var start = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ChangeTrail__DataDirectory"] = dataDirectory,
                ["ChangeTrail__SetupCode"] = "crash-code",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilUpAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The server did not start within 30 seconds.");
    }

    private static SqliteChangeTrailDbContext Open(string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<SqliteChangeTrailDbContext>();
        options.UseChangeTrailSqlite($"Data Source={Path.Combine(dataDirectory, "changetrail.db")}");
        return new SqliteChangeTrailDbContext(options.Options);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
