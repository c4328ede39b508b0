namespace Auditrail.Cel.Conformance;

/// <summary>
/// Element-wise equality for the list-valued members of the expected-value records: a record's
/// generated equality compares lists by reference, which would make two identical expectations unequal.
/// </summary>
internal static class StructuralEquality
{
    public static bool ListEquals<T>(IReadOnlyList<T> left, IReadOnlyList<T> right) =>
        ReferenceEquals(left, right) || left.SequenceEqual(right);

    public static bool NestedListEquals<T>(IReadOnlyList<IReadOnlyList<T>> left, IReadOnlyList<IReadOnlyList<T>> right) =>
        left.Count == right.Count && left.Zip(right).All(pair => ListEquals(pair.First, pair.Second));

    public static int ListHash<T>(IReadOnlyList<T> items)
    {
        var hash = new HashCode();
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
