using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

internal static class EncoderFunctions
{
    public static void Register(FunctionTable t)
    {
    }
}
