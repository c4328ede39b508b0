using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Library;

/// <summary>
/// One typed signature of a function. <see cref="Parameters"/> includes the receiver for member
/// functions (<c>"a".startsWith("b")</c> is <c>(string, string)</c>). The checker uses the types; the
/// runtime dispatches on the argument kinds they imply.
/// </summary>
public sealed class CelOverload
{
    public CelOverload(string id, bool member, CelType[] parameters, CelType result, Func<CelValue[], CelValue> implementation, bool pure = true)
    {
        Id = id;
        Member = member;
        Parameters = parameters;
        Result = result;
        Implementation = implementation;
        Pure = pure;
        _kinds = parameters.Select(KindOf).ToArray();
        _objectTypes = parameters.Select(p => p.Kind == CelTypeKind.Object ? p : null).ToArray();
    }

    private readonly CelKind?[] _kinds;

    // Object parameters (net.IP, kubernetes.Quantity) also need the value's type name to match, so an
    // overload for one opaque type is never handed another.
    private readonly CelType?[] _objectTypes;

    public string Id { get; }
    public bool Member { get; }
    public CelType[] Parameters { get; }
    public CelType Result { get; }
    public Func<CelValue[], CelValue> Implementation { get; }

    /// <summary>Pure overloads with constant arguments are folded at compile time.</summary>
    public bool Pure { get; }

    public bool Accepts(ReadOnlySpan<CelValue> args)
    {
        if (args.Length != _kinds.Length)
        {
            return false;
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (_kinds[i] is { } kind && args[i].Kind != kind)
            {
                return false;
            }

            if (_objectTypes[i] is { } objectType && (args[i].Kind != CelKind.Object || !args[i].AsObject.Type.Equals(objectType)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The runtime kind a parameter type requires; null for dyn and type parameters.</summary>
    private static CelKind? KindOf(CelType type) => type.Kind switch
    {
        CelTypeKind.Null => CelKind.Null,
        CelTypeKind.Bool => CelKind.Bool,
        CelTypeKind.Int => CelKind.Int,
        CelTypeKind.Uint => CelKind.Uint,
        CelTypeKind.Double => CelKind.Double,
        CelTypeKind.String => CelKind.String,
        CelTypeKind.Bytes => CelKind.Bytes,
        CelTypeKind.List => CelKind.List,
        CelTypeKind.Map => CelKind.Map,
        CelTypeKind.Timestamp => CelKind.Timestamp,
        CelTypeKind.Duration => CelKind.Duration,
        CelTypeKind.Type => CelKind.Type,
        CelTypeKind.Optional => CelKind.Optional,
        _ => null,
    };
}

/// <summary>Functions by name: the standard library, Kubernetes' extensions, and whatever a host adds.</summary>
public sealed class FunctionRegistry
{
    private readonly Dictionary<string, List<CelOverload>> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CelType> _types = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _functions.Keys;

    /// <summary>
    /// Declares a type that library functions produce, so expressions can name it
    /// (<c>type(ip('10.0.0.1')) == net.IP</c>). Libraries declare types here because they register
    /// through the registry alone.
    /// </summary>
    public void DeclareType(CelType type) => _types[type.Name] = type;

    public bool TryGetType(string name, out CelType type) => _types.TryGetValue(name, out type!);

    public void Add(string name, CelOverload overload)
    {
        if (!_functions.TryGetValue(name, out var list))
        {
            _functions[name] = list = [];
        }

        list.Add(overload);
    }

    /// <summary>Registers a global (non-member) overload.</summary>
    public void Global(string name, CelType result, CelType[] parameters, Func<CelValue[], CelValue> implementation, bool pure = true) =>
        Add(name, new CelOverload($"{name}_{string.Join("_", parameters.Select(p => p.Name))}", false, parameters, result, implementation, pure));

    /// <summary>Registers a member overload; the first parameter is the receiver.</summary>
    public void Member(string name, CelType result, CelType[] parameters, Func<CelValue[], CelValue> implementation, bool pure = true) =>
        Add(name, new CelOverload($"{parameters[0].Name}_{name}_{string.Join("_", parameters.Skip(1).Select(p => p.Name))}", true, parameters, result, implementation, pure));

    public IReadOnlyList<CelOverload> Find(string name) =>
        _functions.TryGetValue(name, out var list) ? list : [];

    public bool Contains(string name) => _functions.ContainsKey(name);

    /// <summary>Picks the overload matching the arguments' runtime kinds, or returns a "no such overload" error.</summary>
    public static CelValue Dispatch(string name, IReadOnlyList<CelOverload> overloads, bool member, CelValue[] args)
    {
        foreach (var arg in args)
        {
            if (arg.IsErrorOrUnknown)
            {
                return arg;
            }
        }

        foreach (var overload in overloads)
        {
            if (overload.Member == member && overload.Accepts(args))
            {
                return overload.Implementation(args);
            }
        }

        return Values.NoOverload(name, args);
    }
}
