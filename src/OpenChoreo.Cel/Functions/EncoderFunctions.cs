using System.Text;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>The encoders extension: base64.encode / base64.decode (padding optional on decode).</summary>
internal static class EncoderFunctions
{
    public static void Register(FunctionTable t)
    {
        t.Unary("base64.encode", v => v.Kind == CelKind.Bytes ? CelValue.FromString(Convert.ToBase64String(v.AsBytes)) : Err.NoOverload("base64.encode", v));
        t.Unary("base64.decode", v =>
        {
            if (v.Kind != CelKind.String) return Err.NoOverload("base64.decode", v);
            string s = v.AsString;
            if (s.Length % 4 != 0) s = s.PadRight(s.Length + (4 - (s.Length % 4)), '=');
            var buffer = new byte[(s.Length / 4 * 3) + 3];
            return Convert.TryFromBase64String(s, buffer, out int n) && !s.AsSpan().ContainsAny(" \t\r\n")
                ? CelValue.FromBytes(buffer[..n])
                : Err.Invalid("base64.decode: illegal base64 data");
        });
    }
}
