using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

internal static class OptionalFunctions
{
    public static void Register(FunctionTable t)
    {
    }
}
