using System.Reflection;
using System.Reflection.Emit;

namespace HealthPortal.Tests.Architecture;

/// <summary>
/// Which types a compiled type uses: its signatures (base type, interfaces, fields, properties, parameters, return
/// types, locals, attributes) and every type, method and field token in its method bodies' IL. Razor components compile
/// to ordinary types, so their markup's references are found too. Nested and compiler-generated types (lambdas, async
/// state machines) are folded into the type that declares them, so a lambda's use counts as its page's use.
/// </summary>
public static class TypeReferences
{
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The outermost declaring type: where a nested or compiler-generated type's uses are charged.</summary>
    public static Type Owner(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>Every type that <paramref name="type"/> itself (not its nested types) refers to, generic arguments unfolded.</summary>
    public static IReadOnlySet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t) => Unfold(t, found);

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var a in type.CustomAttributes) Add(a.AttributeType);
        foreach (var f in type.GetFields(Everything)) Add(f.FieldType);
        foreach (var p in type.GetProperties(Everything))
        {
            Add(p.PropertyType);
            foreach (var a in p.CustomAttributes) Add(a.AttributeType);
        }
        foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var a in m.CustomAttributes) Add(a.AttributeType);
            var body = m.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var used in InIl(m, body)) Add(used);
        }
        return found;
    }

    private static void Unfold(Type? type, HashSet<Type> into)
    {
        if (type is null || type.IsGenericParameter) return;
        if (type.HasElementType)
        {
            Unfold(type.GetElementType(), into);
            return;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            Unfold(type.GetGenericTypeDefinition(), into);
            foreach (var arg in type.GetGenericArguments()) Unfold(arg, into);
            return;
        }
        into.Add(type);
    }

    /// <summary>The types named by the IL's type, method and field operands (a call names its declaring type).</summary>
    private static IEnumerable<Type> InIl(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;

        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    at += 4;
                    var member = module.ResolveMember(token, typeArgs, methodArgs);
                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case MethodBase called:
                            if (called.DeclaringType is { } declaring) yield return declaring;
                            if (called is MethodInfo { IsGenericMethod: true } generic)
                                foreach (var arg in generic.GetGenericArguments()) yield return arg;
                            break;
                        case FieldInfo field:
                            if (field.DeclaringType is { } owner) yield return owner;
                            yield return field.FieldType;
                            break;
                    }
                    break;
                case OperandType.InlineSwitch:
                    var cases = BitConverter.ToInt32(il, at);
                    at += 4 + 4 * cases;
                    break;
                default:
                    at += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
