using Auditrail.Cel.Conformance;
using Xunit.Abstractions;

namespace Auditrail.Cel.Tests.Conformance;

/// <summary>Every file of the cel-spec suite loads, with the number of tests it holds.</summary>
public class ConformanceCorpusTests(ITestOutputHelper output)
{
    /// <summary>Tests per file at google/cel-spec @508bd98e; a change here means the data changed.</summary>
    public static TheoryData<string, int, int> Files() => new()
    {
        { "basic", 5, 43 },
        { "comparisons", 10, 406 },
        { "conversions", 9, 109 },
        { "fields", 5, 60 },
        { "fp_math", 1, 30 },
        { "integer_math", 2, 64 },
        { "lists", 4, 39 },
        { "logic", 4, 30 },
        { "macros", 6, 44 },
        { "namespace", 3, 14 },
        { "network_ext", 4, 69 },
        { "optionals", 1, 70 },
        { "parse", 9, 219 },
        { "plumbing", 4, 5 },
        { "string", 7, 51 },
        { "string_ext", 15, 216 },
        { "timestamps", 11, 78 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void File_loads_with_its_sections_and_tests(string name, int sections, int tests)
    {
        var file = CelSpecData.Load(name);

        Assert.Equal(name, file.Name);
        Assert.Equal(sections, file.Sections.Count);
        Assert.Equal(tests, file.Tests.Count());
        Assert.All(file.Tests, t => Assert.False(string.IsNullOrEmpty(t.Expr), t.Id));
    }

    [Fact]
    public void The_data_folder_holds_exactly_the_listed_files()
    {
        var onDisk = Directory.GetFiles(CelSpecData.Directory, "*.textproto").Select(Path.GetFileNameWithoutExtension).Order();

        Assert.Equal(Files().Select(row => (string)row[0]).Order(), onDisk);
    }

    /// <summary>
    /// Ids name tests in skip lists, so a repeated one matters: upstream string_ext reuses three names
    /// in its index_of section (a skip of one skips both). Any other repeat would be new.
    /// </summary>
    [Fact]
    public void Test_ids_repeat_only_where_upstream_repeats_names()
    {
        var ids = Directory.GetFiles(CelSpecData.Directory, "*.textproto")
            .SelectMany(path => ConformanceFile.Load(path).Tests)
            .Select(t => t.Id)
            .ToList();

        var repeated = ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).Order();

        Assert.Equal(1547, ids.Count);
        Assert.Equal(["string_ext/index_of/char_index", "string_ext/index_of/empty_index", "string_ext/index_of/string_index"], repeated);
    }

    /// <summary>Prints which features the suite exercises, to plan what the runner must support or skip.</summary>
    [Fact]
    public void Feature_usage_is_reported()
    {
        var tests = Directory.GetFiles(CelSpecData.Directory, "*.textproto")
            .Order()
            .SelectMany(path => ConformanceFile.Load(path).Tests)
            .ToList();
        var features = new (string Name, Func<ConformanceTest, bool> Uses)[]
        {
            ("object_value (expected or bound)", t => ObjectValues(t).Any()),
            ("expr names TestAllTypes", t => t.Expr.Contains("TestAllTypes", StringComparison.Ordinal)),
            ("proto messages (either of the above)", t => ObjectValues(t).Any() || t.Expr.Contains("TestAllTypes", StringComparison.Ordinal)),
            ("type_env", t => t.TypeEnv.Count > 0),
            ("type_env function decls", t => t.TypeEnv.Any(d => d is ConformanceDecl.FunctionDecl)),
            ("bindings", t => t.Bindings.Count > 0),
            ("result: value", t => t.HasExplicitResult && t.Result is ExpectedResult.Value),
            ("result: implicit true", t => !t.HasExplicitResult),
            ("result: eval_error", t => t.Result is ExpectedResult.EvalError),
            ("result: any_eval_errors", t => t.Result is ExpectedResult.AnyEvalErrors),
            ("result: unknown", t => t.Result is ExpectedResult.Unknown),
            ("result: any_unknowns", t => t.Result is ExpectedResult.AnyUnknowns),
            ("result: typed_result", t => t.Result is ExpectedResult.TypedResult),
            ("disable_check", t => t.DisableCheck),
            ("disable_macros", t => t.DisableMacros),
            ("check_only", t => t.CheckOnly),
            ("container", t => t.Container.Length > 0),
            ("locale", t => t.Locale.Length > 0),
        };

        output.WriteLine($"{tests.Count} tests");
        foreach (var (name, uses) in features)
        {
            output.WriteLine($"{tests.Count(uses),5}  {name}");
        }

        foreach (var file in tests.GroupBy(t => t.Id[..t.Id.IndexOf('/', StringComparison.Ordinal)]))
        {
            var used = features.Where(f => file.Any(f.Uses)).Select(f => $"{f.Name}={file.Count(f.Uses)}");
            output.WriteLine($"{file.Key} ({file.Count()}): {string.Join(", ", used)}");
        }

        Assert.Equal(1547, tests.Count);
    }

    private static IEnumerable<ExpectedValue.ObjectValue> ObjectValues(ConformanceTest test)
    {
        var roots = test.Bindings.Values.ToList();
        if (test.Result is ExpectedResult.Value { Expected: var expected })
        {
            roots.Add(expected);
        }
        else if (test.Result is ExpectedResult.TypedResult { Result: { } typed })
        {
            roots.Add(typed);
        }

        return roots.SelectMany(Descendants).OfType<ExpectedValue.ObjectValue>();
    }

    private static IEnumerable<ExpectedValue> Descendants(ExpectedValue value) => value switch
    {
        ExpectedValue.ListValue list => list.Values.SelectMany(Descendants).Prepend(value),
        ExpectedValue.MapValue map => map.Entries.SelectMany(e => Descendants(e.Key).Concat(Descendants(e.Value))).Prepend(value),
        _ => [value],
    };
}
