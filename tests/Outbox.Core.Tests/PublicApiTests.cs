using System.Reflection;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Tests;

/// <summary>
/// The public surface of the packages, as users see it, against the checked-in PublicAPI.txt: a change to
/// it is deliberate and reviewed. After an intended change, copy PublicAPI.received.txt over PublicAPI.txt.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(IOutbox).Assembly,
        typeof(EntityFrameworkCoreOutboxBuilderExtensions).Assembly,
        typeof(RabbitMQOutboxBuilderExtensions).Assembly,
        typeof(KafkaOutboxBuilderExtensions).Assembly,
        typeof(DashboardOutboxBuilderExtensions).Assembly,
    ];

    [Fact]
    public void PublicSurface_IsTheCheckedInOne()
    {
        var directory = Path.Combine(Outbox.Testing.Repository.Root, "tests", "Outbox.Core.Tests");
        var expected = File.ReadAllText(Path.Combine(directory, "PublicAPI.txt")).ReplaceLineEndings("\n");
        var actual = Describe(Packages);
        if (actual == expected)
        {
            return;
        }

        File.WriteAllText(Path.Combine(directory, "PublicAPI.received.txt"), actual);
        var before = expected.Split('\n').ToHashSet(StringComparer.Ordinal);
        var after = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
        Assert.Fail(
            "The public API changed. Added:\n  " + string.Join("\n  ", after.Except(before)) +
            "\nRemoved:\n  " + string.Join("\n  ", before.Except(after)) +
            "\nIf intended, copy tests/Outbox.Core.Tests/PublicAPI.received.txt over PublicAPI.txt.");
    }

    [Fact]
    public void Internals_AreNotPartOfTheSurface()
    {
        var surface = Describe(Packages);

        Assert.DoesNotContain("OutboxDefaults", surface, StringComparison.Ordinal);
        Assert.DoesNotContain("ActivitySource", surface, StringComparison.Ordinal);
        Assert.Contains("type Outbox.Transport.ITransport", surface, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPackage_BuildsOnCoresPublicApiOnly()
    {
        var granted = typeof(IOutbox).Assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName)
            .ToList();

        Assert.NotEmpty(granted); // the tests' own grants: the attribute is read
        Assert.All(Packages.Skip(1), package => Assert.DoesNotContain(package.GetName().Name, granted));
    }

    private static string Describe(IEnumerable<Assembly> assemblies)
    {
        var text = new StringBuilder();
        foreach (var assembly in assemblies)
        {
            text.Append("assembly ").Append(assembly.GetName().Name).Append('\n');
            foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                text.Append("type ").Append(Name(type)).Append(Bases(type)).Append('\n');
                foreach (var member in Members(type))
                {
                    text.Append("  ").Append(member).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Members(Type type)
    {
        const BindingFlags visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var members = new List<string>();
        foreach (var member in type.GetMembers(visible))
        {
            var line = member switch
            {
                ConstructorInfo c when Visible(c) => $"ctor({Parameters(c)})",
                MethodInfo m when Visible(m) && !m.IsSpecialName && !m.Name.StartsWith('<') => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})",
                PropertyInfo p when (p.GetMethod is { } g && Visible(g)) || (p.SetMethod is { } s && Visible(s)) =>
                    $"{Name(p.PropertyType)} {p.Name} {{{(p.GetMethod is { } get && Visible(get) ? " get;" : "")}{(p.SetMethod is { } set && Visible(set) ? (set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? " init;" : " set;") : "")} }}",
                FieldInfo f when f.IsPublic || f.IsFamily => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? $" = {f.GetRawConstantValue()}" : "")}",
                EventInfo e when e.AddMethod is { } add && Visible(add) => $"event {Name(e.EventHandlerType!)} {e.Name}",
                _ => null,
            };
            if (line is not null && !(type.IsEnum && member is FieldInfo { IsLiteral: false }))
            {
                members.Add(line);
            }
        }

        return members.Order(StringComparer.Ordinal);
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Bases(Type type)
    {
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Generic(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsGenericType)
        {
            return name;
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
