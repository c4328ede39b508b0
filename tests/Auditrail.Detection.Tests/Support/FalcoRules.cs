using Auditrail.Cel.Runtime;
using Auditrail.Core.Model;
using Auditrail.Detection.Conditions;
using Auditrail.Detection.Falco;
using Auditrail.Detection.Rules;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Detection.Tests.Support;

/// <summary>Falco rule text translated through the real collector, translator and compiler, for tests.</summary>
public static class FalcoRules
{
    public static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", "falco-k8saudit", .. parts]);

    /// <summary>Translates Falco rules YAML given as text (one file per string, in order).</summary>
    public static FalcoTranslation Translate(params string[] files)
    {
        var collector = new FalcoRuleCollector();
        for (var i = 0; i < files.Length; i++)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(files[i]));
            collector.Load(stream, $"falco{i + 1}.yaml");
        }

        return FalcoTranslator.Translate(collector);
    }

    /// <summary>A k8s_audit rule named "t" with this condition, after the given lists and macros.</summary>
    public static string Rule(string condition, string prelude = "") =>
        $"{prelude}\n- rule: t\n  desc: test\n  condition: |\n    {condition.ReplaceLineEndings("\n    ")}\n  output: t\n  priority: INFO\n  source: k8s_audit\n";

    /// <summary>The compiled rule set of a translation; a translation or compile problem fails the test.</summary>
    public static RuleSet Compile(FalcoTranslation translation)
    {
        Assert.Empty(translation.Diagnostics.Where(d => d.Code == RuleCodes.FalcoUntranslated).Select(d => d.ToString()));
        var diagnostics = new List<RuleDiagnostic>();
        var set = RuleSet.Compile(translation.Pack, diagnostics);
        Assert.Empty(diagnostics.Where(d => !d.IsWarning).Select(d => d.ToString()));
        return set;
    }

    /// <summary>The value of a Falco condition (with lists and macros in <paramref name="prelude"/>) for an event.</summary>
    public static CelValue Evaluate(string condition, AuditEvent auditEvent, string prelude = "")
    {
        var set = Compile(Translate(Rule(condition, prelude)));
        var rule = set.Rules.Single(r => r.Definition.Name == "t");
        return rule.Condition.Evaluate(new AuditEventActivation(set.Environment).Reset(auditEvent));
    }

    /// <summary>True or false; an error (anything but a bool) fails the test, since translated checks must be total.</summary>
    public static bool Holds(string condition, AuditEvent auditEvent, string prelude = "")
    {
        var value = Evaluate(condition, auditEvent, prelude);
        Assert.True(value.Kind == CelKind.Bool, $"{condition} gave {value}");
        return value.AsBool;
    }
}
