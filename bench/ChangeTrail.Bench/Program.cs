using ChangeTrail.Bench;
using ChangeTrail.Bench.Scenarios;

// Load scenarios and benchmarks. Usage: dotnet run -c Release --project bench/ChangeTrail.Bench -- <scenario> [options]
// Each scenario prints the exact command, the machine, and a table of figures with their targets; see bench/README.md.
const string Usage = """
    usage: dotnet run -c Release --project bench/ChangeTrail.Bench -- <scenario> [options]

      list [count] [postgres-connection-string]
          the change list at 100,000 change requests (SQLite unless a connection string is given)
      ledger-append [--provider sqlite|postgres] [--connection CS] [--seconds 10] [--warmup 2] [--writers 16]
                    [--rounds 5] [--breakdown SECONDS]
          ledger appends/s through the app's SaveChangesAsync and group commit, with one and with N writers, vs the raw
          durable single-row INSERT rate; then the deferred tree integration, timed
          (postgres: --connection, or CHANGETRAIL_TEST_POSTGRES; a fresh database is created and dropped)
      auth-overhead [--provider sqlite|postgres] [--connection CS] [--requests 5000] [--warmup 1000] [--clients 32] [--seconds 5]
          what authentication adds over GET /healthz on the real server (Kestrel, loopback, Production), one keep-alive client;
          then requests/s of both at N concurrent clients
      ledger-verify [--entries 1000000] [--record-bytes 300-1000] [--seed 1] [--chunk-mb 64]
          full verification of N entries vs SHA-256 over the same bytes in a tight loop
      ledger-proof [--entries 10000000] [--proofs 100000] [--provider memory|sqlite] [--db-entries N] [--db-proofs 10000] [--seed 1]
                   [--record-bytes 2]
          inclusion-proof latency at N entries, in memory and (sqlite) through the app's read path
          (LedgerStore.SubtreesAsync / LedgerNodeStore.LoadAsync) over a seeded LedgerEntry + LedgerNode database
    """;

try
{
    return args.FirstOrDefault() switch
    {
        "list" => await ListScenario.RunAsync(args),
        "ledger-append" => await LedgerAppendScenario.RunAsync(args),
        "ledger-verify" => LedgerVerifyScenario.Run(args),
        "ledger-proof" => await LedgerProofScenario.RunAsync(args),
        "auth-overhead" => await AuthOverheadScenario.RunAsync(args),
        _ => throw new BenchUsageException(args.Length == 0 ? "no scenario given" : $"unknown scenario '{args[0]}'"),
    };
}
catch (BenchUsageException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{Usage}");
    return 2;
}
