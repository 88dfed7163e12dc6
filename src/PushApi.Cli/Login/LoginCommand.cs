using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Configuration;
using PushApi.Cli.Terminal;
using Spectre.Console;

namespace PushApi.Cli.Login;

/// <summary>
/// <c>pushapi login</c>: gets a token from <c>/services/oauth2/token</c> (password or client credentials grant), checks it
/// with <c>/api/v1/me</c> and stores the server and the token in the config file (mode 600).
/// </summary>
public static class LoginCommand
{
    private static readonly Option<string?> Username = new("--username", "-u") { Description = "The user to log in as (password grant)" };
    private static readonly Option<bool> PasswordStdin = new("--password-stdin") { Description = "Read the password (or the client secret) from the first line of standard input" };
    private static readonly Option<string?> ClientId = new("--client-id") { Description = "An API client's id (client credentials grant)" };
    private static readonly Option<string?> ClientSecret = new("--client-secret") { Description = "The API client's secret (else --password-stdin, else a prompt)" };

    public static Command Create()
    {
        var command = new Command("login", "Log in and keep the token in the config directory ($PUSHAPI_CONFIG_DIR, else $XDG_CONFIG_HOME/pushapi, file mode 600)")
        {
            Username, PasswordStdin, ClientId, ClientSecret,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var url = Session.ParseUrl(Session.GivenUrl(parse) ?? ConfigStore.Load()?.Url
            ?? throw new CliException(ExitCodes.Usage, "Say which server: pushapi login --url http://127.0.0.1:5080 --username <user>"));
        var (form, who) = Credentials(parse, output);

        using var anonymous = new PushApiClient(url, token: null);
        using var response = await anonymous.SendAnyAsync(new HttpRequestMessage(HttpMethod.Post, "services/oauth2/token") { Content = new FormUrlEncodedContent(form) }, cancellationToken);
        var body = await anonymous.ReadBodyAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Refused(response, body, url);
        }

        var answer = PushApiClient.Parse(body, new Uri(url, "services/oauth2/token"));
        var token = answer.Text("access_token") ?? throw new CliException(ExitCodes.Unreachable, $"{ApiErrors.Origin(url)} gave no access token; check that the URL is PushApi's.");
        using var client = new PushApiClient(url, token);
        var me = await client.GetJsonAsync("api/v1/me", cancellationToken);
        var username = me.Text("username") ?? who;
        ConfigStore.Save(new CliConfig(ApiErrors.Origin(url), token, username, IssuedAt(answer)));

        if (output.Json)
        {
            Output.WriteJson(new { url = ApiErrors.Origin(url), username, permissions = me.Items("permissions").Select(p => p.GetString()), configFile = ConfigStore.FilePath });
        }
        else
        {
            var permissions = string.Join(", ", me.Items("permissions").Select(p => p.GetString()));
            output.Line($"Logged in to {ApiErrors.Origin(url)} as {username} ({permissions}). Token saved in {ConfigStore.FilePath}.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The token request's form and who it is for; the secret from stdin or a prompt, never from a visible option unless given so.</summary>
    private static (Dictionary<string, string> Form, string Who) Credentials(ParseResult parse, Output output)
    {
        var username = parse.GetValue(Username);
        var clientId = parse.GetValue(ClientId);
        if ((username is null) == (clientId is null))
        {
            throw new CliException(ExitCodes.Usage, "Give either --username (with --password-stdin or a prompt) or --client-id (with --client-secret); see: pushapi login --help");
        }

        if (username is not null)
        {
            var password = Secret(parse, output, $"Password for {username}:");
            return (new() { ["grant_type"] = "password", ["username"] = username, ["password"] = password }, username);
        }

        var secret = parse.GetValue(ClientSecret) ?? Secret(parse, output, $"Secret of API client {clientId}:");
        return (new() { ["grant_type"] = "client_credentials", ["client_id"] = clientId!, ["client_secret"] = secret }, clientId!);
    }

    private static string Secret(ParseResult parse, Output output, string prompt)
    {
        if (parse.GetValue(PasswordStdin))
        {
            var line = Console.In.ReadLine();
            return string.IsNullOrEmpty(line) ? throw new CliException(ExitCodes.Usage, "--password-stdin read nothing; pipe the password in, e.g. cat secret.txt | pushapi login …") : line;
        }

        if (Console.IsInputRedirected || !output.Interactive)
        {
            throw new CliException(ExitCodes.Usage, "No terminal to ask for the password; pipe it in with --password-stdin.");
        }

        return output.Console.Prompt(new TextPrompt<string>(Markup.Escape(prompt)).Secret());
    }

    private static CliException Refused(HttpResponseMessage response, string body, Uri url)
    {
        var reason = ApiErrors.Describe(body);
        var isPushApi = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && reason is not null;
        if (isPushApi && response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delay ? $" Wait {delay.TotalSeconds:0} s before trying again." : string.Empty;
            return new CliException(ExitCodes.NotLoggedIn, $"{ApiErrors.Origin(url)} refused the login ({reason}); check the username and password (or client id and secret) and run pushapi login again.{retryAfter}");
        }

        return ApiErrors.FromAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, new Uri(url, "services/oauth2/token"));
    }

    /// <summary>Salesforce's issued_at: milliseconds since 1970, as a string.</summary>
    private static DateTimeOffset? IssuedAt(JsonElement answer) =>
        long.TryParse(answer.Text("issued_at"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds) ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
}
