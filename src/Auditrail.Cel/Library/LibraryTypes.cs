using Auditrail.Cel.Runtime;

namespace Auditrail.Cel.Library;

/// <summary>
/// Short names for the types function signatures use, shared by every library so a signature reads
/// like CEL's own declarations: <c>[Str, Int]</c>. <c>Str</c> and <c>Dbl</c> avoid clashing with System types.
/// </summary>
internal static class LibraryTypes
{
    public static readonly CelType Int = CelType.Int;
    public static readonly CelType Uint = CelType.Uint;
    public static readonly CelType Dbl = CelType.Double;
    public static readonly CelType Str = CelType.String;
    public static readonly CelType Bool = CelType.Bool;
    public static readonly CelType Bytes = CelType.Bytes;
    public static readonly CelType Timestamp = CelType.Timestamp;
    public static readonly CelType Duration = CelType.Duration;
    public static readonly CelType Dyn = CelType.Dyn;
}
