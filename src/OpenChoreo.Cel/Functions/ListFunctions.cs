using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

internal static class ListFunctions
{
    public static void Register(FunctionTable t)
    {
    }
}
