using System.Diagnostics;

namespace ChangeTrail.Bench.Http;

/// <summary>
/// Closed-loop HTTP load: <c>clients</c> concurrent workers sharing one keep-alive <see cref="HttpClient"/> (one connection
/// each), each sending its next request when the last one's answer has been read. A request counts when it completes
/// inside the measured window (<see cref="Phase"/>); an answer other than the expected status is an error.
/// </summary>
internal static class LoadRunner
{
    /// <summary>A client for load: keep-alive, as many connections as workers, no proxy, no cookies.</summary>
    public static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
        };

    /// <summary>Runs <paramref name="request"/> on <paramref name="clients"/> workers for <paramref name="duration"/> after <paramref name="warmup"/>.</summary>
    public static Task<PhaseResult> RunAsync(string name, int clients, TimeSpan warmup, TimeSpan duration, Func<Task> request) =>
        Phase.RunAsync(name, clients, warmup, duration, _ => request());

    /// <summary>Sends <paramref name="message"/> (a new one per request) and reads the answer; throws when its status is not <paramref name="expected"/>.</summary>
    public static async Task SendAsync(HttpClient client, Func<HttpRequestMessage> message, int expected = 200)
    {
        using var response = await client.SendAsync(message(), HttpCompletionOption.ResponseContentRead);
        if ((int)response.StatusCode != expected)
            throw new HttpRequestException($"{message().RequestUri}: {(int)response.StatusCode}, expected {expected}");
    }

    /// <summary>One request timed in milliseconds, from sending to the answer read in full.</summary>
    public static async Task<double> TimeAsync(HttpClient client, Func<HttpRequestMessage> message, int expected = 200)
    {
        var start = Stopwatch.GetTimestamp();
        await SendAsync(client, message, expected);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
