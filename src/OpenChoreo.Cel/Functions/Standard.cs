using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>Registers the CEL standard library and the extension libraries.</summary>
internal static class Standard
{
    public static FunctionTable CreateTable()
    {
        var t = new FunctionTable();
        t.Binary("_+_", Operators.Add);
        t.Binary("_-_", Operators.Subtract);
        t.Binary("_*_", Operators.Multiply);
        t.Binary("_/_", Operators.Divide);
        t.Binary("_%_", Operators.Modulo);
        t.Unary("-_", Operators.Negate);
        t.Unary("!_", Operators.Not);
        t.Binary("_==_", Operators.Equal);
        t.Binary("_!=_", Operators.NotEqual);
        t.Binary("_<_", Operators.Less);
        t.Binary("_<=_", Operators.LessEqual);
        t.Binary("_>_", Operators.Greater);
        t.Binary("_>=_", Operators.GreaterEqual);
        t.Binary("@in", Operators.In);
        t.Unary("size", Operators.Size, CallStyle.Both);

        t.Unary("int", Conversions.ToInt);
        t.Unary("uint", Conversions.ToUInt);
        t.Unary("double", Conversions.ToDouble);
        t.Unary("string", Conversions.ToStringValue);
        t.Unary("bytes", Conversions.ToBytes);
        t.Unary("bool", Conversions.ToBool);
        t.Unary("timestamp", Conversions.ToTimestamp);
        t.Unary("duration", Conversions.ToDuration);
        t.Unary("type", Conversions.TypeOf);
        t.Unary("dyn", Conversions.Dyn);

        t.Binary("contains", StringFunctions.Contains, CallStyle.Receiver);
        t.Binary("startsWith", StringFunctions.StartsWith, CallStyle.Receiver);
        t.Binary("endsWith", StringFunctions.EndsWith, CallStyle.Receiver);
        t.Binary("matches", Re2.Matches, CallStyle.Both);

        TimeFunctions.Register(t);
        StringFunctions.RegisterExtensions(t);
        MathFunctions.Register(t);
        ListFunctions.Register(t);
        OptionalFunctions.Register(t);
        EncoderFunctions.Register(t);
        return t;
    }
}
