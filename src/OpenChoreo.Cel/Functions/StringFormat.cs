using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

internal static class StringFormat
{
    public static CelValue Format(CelValue fmt, CelValue args) => Err.NoOverload("format", fmt, args);
}
