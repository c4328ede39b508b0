namespace Auditrail.LogGenerator.Model;

/// <summary>Name pools; when a pool runs out the generator numbers the names instead.</summary>
internal static class Names
{
    public static readonly string[] Namespaces =
    [
        "payments", "checkout", "orders", "catalog", "search", "accounts", "billing", "inventory", "shipping",
        "notifications", "analytics", "frontend", "recommendations", "reviews", "media", "gateway", "loyalty",
        "pricing", "fraud", "reporting",
    ];

    public static readonly string[] People =
    [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "ken", "laura", "mike",
        "nina", "oscar", "peggy", "quinn", "rupert", "sybil", "trent", "uma", "victor", "walter", "xena", "yara",
    ];

    public static string Pick(string[] pool, int index, string numberedPrefix) =>
        index < pool.Length ? pool[index] : numberedPrefix + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Secret names an attacker guesses when enumerating.</summary>
    public static readonly string[] GuessedSecrets =
    [
        "db-credentials", "aws-credentials", "admin-token", "registry-credentials", "tls", "api-keys",
        "postgres-password", "github-token", "stripe-api-key", "jwt-signing-key",
    ];

    /// <summary>Documentation address blocks (RFC 5737): nothing real, and never used by the simulated cluster itself.</summary>
    public static string OutsideAddress(Infrastructure.Rng rng) =>
        (rng.Chance(0.5) ? "203.0.113." : "198.51.100.") + rng.Next(2, 254).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
