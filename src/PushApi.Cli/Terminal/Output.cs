using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace PushApi.Cli.Terminal;

/// <summary>
/// Where a command writes: tables, bars and lines for people (Spectre.Console), or JSON for scripts with <c>--json</c>.
/// Progress bars and live displays only when standard output is a terminal; otherwise plain lines.
/// </summary>
public sealed class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private Output(bool json)
    {
        Json = json;
        Interactive = !System.Console.IsOutputRedirected && !json;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!Interactive)
        {
            // Redirected output has no width; keep rows of tables on one line for grep and logs.
            console.Profile.Width = 200;
        }

        Console = console;
    }

    public bool Json { get; }

    /// <summary>Standard output is a terminal (and not --json): bars, spinners and prompts are fine.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    public static Output For(ParseResult parse) => new(parse.GetValue(CommonOptions.Json));

    /// <summary>Prints a JSON document as it came, indented.</summary>
    public static void WriteJson(JsonElement element) => System.Console.Out.WriteLine(JsonSerializer.Serialize(element, Indented));

    public static void WriteJson(object value) => System.Console.Out.WriteLine(JsonSerializer.Serialize(value, Api.PushApiClient.Json));

    /// <summary>One JSON document per line (for streams such as watch).</summary>
    public static void WriteJsonLine(JsonElement element) => System.Console.Out.WriteLine(element.GetRawText().ReplaceLineEndings(string.Empty));

    /// <summary>A plain line of text (markup-free), for people.</summary>
    public void Line(string text) => Console.WriteLine(text);

    /// <summary>A line with Spectre markup; values must be escaped by the caller.</summary>
    public void Markup(string markup) => Console.MarkupLine(markup);

    public void Write(Spectre.Console.Rendering.IRenderable renderable) => Console.Write(renderable);
}
