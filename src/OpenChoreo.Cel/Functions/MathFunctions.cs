using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

internal static class MathFunctions
{
    public static void Register(FunctionTable t)
    {
    }
}
