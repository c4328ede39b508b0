using Auditrail.Cel.Runtime;
using static Auditrail.Cel.Library.LibraryTypes;

namespace Auditrail.Cel.Library.Extensions;

/// <summary>
/// Kubernetes' quantity library: <c>quantity(s)</c>, <c>isQuantity(s)</c>, conversions
/// (<c>isInteger</c>, <c>asInteger</c>, <c>asApproximateFloat</c>), <c>sign</c>, arithmetic with
/// quantities or ints (<c>add</c>, <c>sub</c>) and comparisons (<c>compareTo</c>,
/// <c>isGreaterThan</c>, <c>isLessThan</c>). Two quantities are equal when their values are
/// (<c>quantity("200M") == quantity("0.2G")</c>).
/// </summary>
public static class QuantityLibrary
{
    public static readonly CelType QuantityType = CelType.Object("kubernetes.Quantity");


    public static void Register(FunctionRegistry r)
    {
        r.DeclareType(QuantityType);
        r.Global("quantity", QuantityType, [CelType.String], a => Quantity.TryParse(a[0].AsString, out var q, out var error) ? Of(q!) : CelValue.Error(error!));
        r.Global("isQuantity", Bool, [CelType.String], a => CelValue.Bool(Quantity.TryParse(a[0].AsString, out _, out _)));

        r.Member("isInteger", Bool, [QuantityType], a => CelValue.Bool(As(a[0]).TryAsInt64(out _)));
        r.Member("asInteger", Int, [QuantityType], a => As(a[0]).TryAsInt64(out var value) ? CelValue.Int(value) : CelValue.Error("cannot convert value to integer"));
        r.Member("asApproximateFloat", CelType.Double, [QuantityType], a => CelValue.Double(As(a[0]).AsApproximateFloat64()));

        // Kubernetes declares sign() as a global overload, although its documentation calls it as a member: accept both.
        r.Global("sign", Int, [QuantityType], a => CelValue.Int(As(a[0]).Sign));
        r.Member("sign", Int, [QuantityType], a => CelValue.Int(As(a[0]).Sign));

        r.Member("add", QuantityType, [QuantityType, QuantityType], a => Of(As(a[0]).Add(As(a[1]))));
        r.Member("add", QuantityType, [QuantityType, Int], a => Of(As(a[0]).Add(Quantity.FromInt64(a[1].AsInt))));
        r.Member("sub", QuantityType, [QuantityType, QuantityType], a => Of(As(a[0]).Subtract(As(a[1]))));
        r.Member("sub", QuantityType, [QuantityType, Int], a => Of(As(a[0]).Subtract(Quantity.FromInt64(a[1].AsInt))));

        r.Member("compareTo", Int, [QuantityType, QuantityType], a => CelValue.Int(As(a[0]).CompareTo(As(a[1]))));
        r.Member("isGreaterThan", Bool, [QuantityType, QuantityType], a => CelValue.Bool(As(a[0]).CompareTo(As(a[1])) > 0));
        r.Member("isLessThan", Bool, [QuantityType, QuantityType], a => CelValue.Bool(As(a[0]).CompareTo(As(a[1])) < 0));
    }

    private static CelValue Of(Quantity quantity) => CelValue.Object(new CelObject(QuantityType, quantity));

    private static Quantity As(CelValue value) => (Quantity)value.AsObject.Value!;
}
