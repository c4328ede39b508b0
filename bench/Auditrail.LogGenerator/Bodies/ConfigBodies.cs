using System.Globalization;
using System.Text.Json;
using System.Text;
using Auditrail.LogGenerator.Model;
using Auditrail.LogGenerator.Simulation;

namespace Auditrail.LogGenerator.Bodies;

/// <summary>A ConfigMap holding an application's YAML; <see cref="AuditRequest.Variant"/> sets how long it is.</summary>
internal sealed class ConfigMapBody : ObjectBody
{
    public static readonly ConfigMapBody Instance = new();

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        ObjectJson.Begin(w, Api.ConfigMaps, r, r.DetailsName, stored);
        if (r.Workload is { } workload)
        {
            ObjectJson.Labels(w, workload);
        }

        w.WriteEndObject();
        w.WriteStartObject("data"u8);
        w.WriteString("LOG_LEVEL"u8, "info"u8);
        w.WriteString("application.yaml"u8, ApplicationYaml(r.Namespace ?? "default", r.Variant));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string ApplicationYaml(string ns, int flags)
    {
        var yaml = new StringBuilder(256 + (flags * 40));
        yaml.Append("server:\n  port: 8080\n  shutdownTimeout: 30s\n")
            .Append(CultureInfo.InvariantCulture, $"database:\n  host: postgres.{ns}.svc.cluster.local\n  port: 5432\n  name: {ns}\n")
            .Append("  pool:\n    maxOpen: 20\n    maxIdle: 5\ncache:\n  ttl: 300s\nfeatures:\n");
        for (var i = 0; i < flags; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  rollout-{ns}-{i:D4}: {(i % 3 == 0 ? "false" : "true")}\n");
        }

        return yaml.ToString();
    }
}

/// <summary>
/// Secrets with obviously fake values: Opaque credentials (Variant 0) or a cert-manager TLS secret (Variant 1)
/// whose certificate text says FAKE. They reach the log only through the full-body namespace rule.
/// </summary>
internal sealed class SecretBody : ObjectBody
{
    public static readonly SecretBody Instance = new();

    private static readonly string FakeCertificate = FakePem("CERTIFICATE", 18);
    private static readonly string FakeKey = FakePem("PRIVATE KEY", 12);

    protected override void Write(Utf8JsonWriter w, AuditRequest r, bool stored)
    {
        var tls = r.Variant == 1;
        var name = r.DetailsName ?? "credentials";
        ObjectJson.Begin(w, Api.Secrets, r, name, stored);
        if (tls)
        {
            w.WriteStartObject("annotations"u8);
            w.WriteString("cert-manager.io/certificate-name"u8, name);
            w.WriteString("cert-manager.io/common-name"u8, name + "." + r.Namespace + ".svc");
            w.WriteString("cert-manager.io/issuer-kind"u8, "ClusterIssuer"u8);
            w.WriteString("cert-manager.io/issuer-name"u8, "internal-ca"u8);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("data"u8);
        if (tls)
        {
            w.WriteBase64String("ca.crt"u8, Encoding.ASCII.GetBytes(FakeCertificate));
            w.WriteBase64String("tls.crt"u8, Encoding.ASCII.GetBytes(FakeCertificate));
            w.WriteBase64String("tls.key"u8, Encoding.ASCII.GetBytes(FakeKey));
        }
        else
        {
            w.WriteBase64String("password"u8, Encoding.ASCII.GetBytes("FAKE-password-" + name + "-not-a-real-secret"));
            w.WriteBase64String("username"u8, Encoding.ASCII.GetBytes("fake-user-" + r.Namespace));
        }

        w.WriteEndObject();
        w.WriteString("type"u8, tls ? "kubernetes.io/tls"u8 : "Opaque"u8);
        w.WriteEndObject();
    }

    private static string FakePem(string label, int lines)
    {
        var pem = new StringBuilder();
        pem.Append("-----BEGIN ").Append(label).Append("-----\n");
        var filler = Convert.ToBase64String(Encoding.ASCII.GetBytes(
            "FAKE-" + label + "-GENERATED-BY-AUDITRAIL-LOG-GENERATOR-NOT-A-REAL-KEY-OR-CERTIFICATE-"));
        for (var i = 0; i < lines; i++)
        {
            pem.Append(filler.AsSpan((i * 7) % (filler.Length - 64), 64)).Append('\n');
        }

        return pem.Append("-----END ").Append(label).Append("-----\n").ToString();
    }
}
